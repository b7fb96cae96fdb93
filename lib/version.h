/* version: the one version string every command prints for -V. */
#ifndef INC_VERSION_H
#define INC_VERSION_H

#ifndef INC_VERSION
#define INC_VERSION "0.1.0"
#endif

#endif
