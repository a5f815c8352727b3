#include <stdio.h>

int main(void)
{
	fprintf(stderr, "r4hil-routerd: not built yet\n");
	return 3;
}
