#ifndef PTUNE_COPENBLAS_SHIM_H
#define PTUNE_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
