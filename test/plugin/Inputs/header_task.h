static inline void header_work(int *x) {
#pragma ws task shared(x)
  (*x)++;
}
