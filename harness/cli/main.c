#include <stdio.h>

int main(void)
{
	fprintf(stderr, "r4hil: not built yet\n");
	return 3;
}
