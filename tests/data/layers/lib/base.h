int base_value(void);
