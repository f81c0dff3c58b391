#include "base.h"
#include "common.h"
#include "upper.h"

int
upper_value(void)
{
	return UPPER_TWO;
}

int
upper_twice(void)
{
	return UPPER_TWO * base_value();
}
