const char *left_name(void);
