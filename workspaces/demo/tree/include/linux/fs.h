/* SPDX-License-Identifier: GPL-2.0 */
/* Open files: a tiny file table whose only files are the serial ports. */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/types.h>

struct file;

struct file_operations {
	ssize_t (*read)(struct file *file, char __user *buf, size_t count);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t count);
};

struct file {
	const struct file_operations	*f_op;
	void				*private_data;
	const char			*name;
	int				f_count;
};

/* Open a device node by path (/dev/console, /dev/ttyS0, /dev/ttyS1); an ERR_PTR on failure. */
struct file *filp_open_device(const char *path);
void fd_install_stdio(void);
struct file *fget(unsigned int fd);

#endif
