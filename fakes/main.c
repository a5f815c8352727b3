#include <stdio.h>

int main(void)
{
	fprintf(stderr, "r4hil-fakelab: not built yet\n");
	return 3;
}
