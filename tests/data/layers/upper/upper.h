int upper_value(void);
int upper_twice(void);
