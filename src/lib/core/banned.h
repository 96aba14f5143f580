/*
 * banned.h — functions the project does not use (as in git's banned.h).
 * Included last by files that want the guard; use the named replacement.
 */
#ifndef SL_BANNED_H
#define SL_BANNED_H

#define SL_BANNED(f) sl_banned_function_##f##_use_the_safe_alternative
#undef strcpy
#define strcpy(x, y) SL_BANNED(strcpy)      /* use snprintf or memcpy with a length */
#undef strcat
#define strcat(x, y) SL_BANNED(strcat)
#undef sprintf
#define sprintf(...) SL_BANNED(sprintf)     /* use snprintf */
#undef vsprintf
#define vsprintf(...) SL_BANNED(vsprintf)
#undef gets
#define gets(x) SL_BANNED(gets)
#undef atoi
#define atoi(x) SL_BANNED(atoi)             /* use strtol with an end check */
#undef atof
#define atof(x) SL_BANNED(atof)             /* use strtod with an end check */
#undef strtok
#define strtok(x, y) SL_BANNED(strtok)      /* not reentrant */

#endif
