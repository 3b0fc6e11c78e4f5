#pragma once
#include <stdint.h>
// Swift does not import C `float _Complex` / `double _Complex`: give LAPACKE layout-compatible
// structs instead (the LAPACK_COMPLEX_CUSTOM path of lapack.h). Same layout as C99 complex and as
// swift-numerics' Complex<Float>/Complex<Double> (two consecutive reals).
typedef struct { float real; float imag; } clapack_complex_float;
typedef struct { double real; double imag; } clapack_complex_double;
#define LAPACK_COMPLEX_CUSTOM
#define lapack_complex_float  clapack_complex_float
#define lapack_complex_double clapack_complex_double
#include <cblas.h>      // OpenBLAS's cblas.h (complex arguments are void *)
#include <lapacke.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
