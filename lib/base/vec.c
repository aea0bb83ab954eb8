/* vec.c - array growth (see vec.h). */
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>

#include "err.h"

int pw_vec_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return PW_ENOMEM;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return PW_ENOMEM;
    void *np = realloc(*p, ncap * elem);
    if (!np)
        return PW_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}
