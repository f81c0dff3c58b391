#include "base.h"
#include "upper.h"

int
base_value(void)
{
	return upper_value() - 1;
}
