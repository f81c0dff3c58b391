#define LEFT_NAME "left"
