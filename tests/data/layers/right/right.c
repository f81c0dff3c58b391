#include "left.h"
#include "right.h"

static int calls;

int
right_count(void)
{
	return calls++ > 0 ? 0 : (int)left_name()[0];
}
