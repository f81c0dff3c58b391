#define UPPER_TWO 2
