// SPDX-License-Identifier: GPL-2.0
/* open(2) and close(2) over the only files there are: the serial ports under /dev. */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/tty.h>
#include <linux/uaccess.h>

#define PATH_MAX_DEMO 64

static ssize_t console_read(struct file *file, char __user *buf, size_t count)
{
	char kbuf[256];
	ssize_t n = n_tty_read(kbuf, min(count, sizeof(kbuf)));

	if (n > 0 && copy_to_user(buf, kbuf, n))
		return -EFAULT;
	return n;
}

static ssize_t uart_write(struct file *file, const char __user *buf, size_t count)
{
	struct uart_port *port = file->private_data;
	char kbuf[256];
	size_t done = 0;

	while (done < count) {
		size_t chunk = min(count - done, sizeof(kbuf));
		size_t left = copy_from_user(kbuf, buf + done, chunk);

		serial8250_write(port, kbuf, chunk - left);
		done += chunk - left;
		if (left)
			return done ? (ssize_t)done : -EFAULT;
	}
	return done;
}

static const struct file_operations console_fops = {
	.read	= console_read,
	.write	= uart_write,
};

static const struct file_operations serial_out_fops = {
	.write	= uart_write,
};

static struct file console_file = {
	.f_op		= &console_fops,
	.private_data	= &serial8250_ports[0],
	.name		= "/dev/console",
};

static struct file ttyS1_file = {
	.f_op		= &serial_out_fops,
	.private_data	= &serial8250_ports[1],
	.name		= "/dev/ttyS1",
};

struct file *filp_open_device(const char *path)
{
	if (!strcmp(path, "/dev/console") || !strcmp(path, "/dev/ttyS0"))
		return &console_file;
	if (!strcmp(path, "/dev/ttyS1"))
		return serial8250_ports[1].present ? &ttyS1_file : ERR_PTR(-ENXIO);
	return ERR_PTR(-ENOENT);
}

void fd_install_stdio(void)
{
	for (int fd = 0; fd < 3; fd++)
		current->fd_array[fd] = &console_file;
}

struct file *fget(unsigned int fd)
{
	if (fd >= NR_OPEN_DEFAULT)
		return NULL;
	return current->fd_array[fd];
}

SYSCALL_DEFINE3(open, const char __user *, filename, int, flags, unsigned int, mode)
{
	char path[PATH_MAX_DEMO];
	long len = strncpy_from_user(path, filename, sizeof(path));
	struct file *f;

	if (len < 0)
		return len;
	if (len == sizeof(path))
		return -ENAMETOOLONG;

	f = filp_open_device(path);
	if (IS_ERR(f))
		return PTR_ERR(f);

	for (int fd = 0; fd < NR_OPEN_DEFAULT; fd++) {
		if (!current->fd_array[fd]) {
			current->fd_array[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
}

SYSCALL_DEFINE1(close, unsigned int, fd)
{
	if (!fget(fd))
		return -EBADF;
	current->fd_array[fd] = NULL;
	return 0;
}
