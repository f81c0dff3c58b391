int right_count(void);
