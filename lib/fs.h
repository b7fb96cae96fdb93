/*
 * fs: the few file-system helpers several commands need.
 */
#ifndef INC_FS_H
#define INC_FS_H

#include <sys/types.h>

/* mkdir -p: create path and its missing parents with mode.  0 or -1. */
int fs_mkdir_p(const char *path, mode_t mode);

#endif
