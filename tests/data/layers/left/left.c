#include "common.h"
#include "left.h"
#include "right.h"
#include "upper.h"

const char *
left_name(void)
{
	return right_count() + upper_value() > 0 ? LEFT_NAME : "";
}
