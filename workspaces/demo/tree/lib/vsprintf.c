// SPDX-License-Identifier: GPL-2.0
/*
 * vsnprintf and friends: %d %i %u %x %X %o %c %s %p %% with flags, width, precision and h/hh/l/ll/z
 * sizes; in the kernel also %pS/%ps (symbol+offset/size) and %pB (the same for a return address). Built into the kernel and, a second time,
 * into the user program.
 */
#include <stdarg.h>
#include <stddef.h>

#ifdef __KERNEL__
#include <linux/kallsyms.h>
#endif

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int sprintf(char *buf, const char *fmt, ...);

#define ZEROPAD	1
#define SIGN	2
#define PLUS	4
#define SPACE	8
#define LEFT	16
#define SPECIAL	32
#define SMALL	64

struct out {
	char *buf;
	size_t size;
	size_t len;	/* what would have been written: snprintf's return value */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void number(struct out *o, unsigned long long num, int base, int width, int precision,
		   int flags)
{
	const char *digits = (flags & SMALL) ? "0123456789abcdef" : "0123456789ABCDEF";
	char tmp[24];
	char sign = 0;
	int i = 0;

	if (flags & SIGN) {
		if ((long long)num < 0) {
			sign = '-';
			num = -(long long)num;
		} else if (flags & PLUS) {
			sign = '+';
		} else if (flags & SPACE) {
			sign = ' ';
		}
	}
	if (sign)
		width--;
	if ((flags & SPECIAL) && base == 16)
		width -= 2;

	if (num == 0)
		tmp[i++] = '0';
	while (num) {
		tmp[i++] = digits[num % base];
		num /= base;
	}
	if (i > precision)
		precision = i;
	width -= precision;

	if (!(flags & (ZEROPAD | LEFT)))
		while (width-- > 0)
			put(o, ' ');
	if (sign)
		put(o, sign);
	if ((flags & SPECIAL) && base == 16) {
		put(o, '0');
		put(o, (flags & SMALL) ? 'x' : 'X');
	}
	if (!(flags & LEFT))
		while (width-- > 0)
			put(o, (flags & ZEROPAD) ? '0' : ' ');
	while (i < precision--)
		put(o, '0');
	while (i-- > 0)
		put(o, tmp[i]);
	while (width-- > 0)
		put(o, ' ');
}

static void string(struct out *o, const char *s, int width, int precision, int flags)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while ((precision < 0 || len < precision) && s[len])
		len++;
	if (!(flags & LEFT))
		while (len < width--)
			put(o, ' ');
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	while (len < width--)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };

	for (; *fmt; fmt++) {
		int flags = 0, width = -1, precision = -1, qualifier = 0;
		unsigned long long num;
		int base = 10;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}

		for (;;) {
			fmt++;
			if (*fmt == '-') flags |= LEFT;
			else if (*fmt == '+') flags |= PLUS;
			else if (*fmt == ' ') flags |= SPACE;
			else if (*fmt == '#') flags |= SPECIAL;
			else if (*fmt == '0') flags |= ZEROPAD;
			else break;
		}
		if (*fmt == '*') {
			width = va_arg(args, int);
			if (width < 0) {
				width = -width;
				flags |= LEFT;
			}
			fmt++;
		} else {
			for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
				width = width * 10 + (*fmt - '0');
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				precision = va_arg(args, int);
				fmt++;
			} else {
				for (precision = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
					precision = precision * 10 + (*fmt - '0');
			}
		}
		while (*fmt == 'h' || *fmt == 'l' || *fmt == 'z') {
			if (*fmt == 'l' || *fmt == 'z')
				qualifier++;
			fmt++;
		}

		switch (*fmt) {
		case 'c':
			if (!(flags & LEFT))
				while (--width > 0)
					put(&o, ' ');
			put(&o, (char)va_arg(args, int));
			while (--width > 0)
				put(&o, ' ');
			continue;
		case 's':
			string(&o, va_arg(args, const char *), width, precision, flags);
			continue;
		case 'p': {
			void *ptr = va_arg(args, void *);
#ifdef __KERNEL__
			if (fmt[1] == 'S' || fmt[1] == 's' || fmt[1] == 'B') {
				char sym[KSYM_SYMBOL_LEN];

				if (fmt[1] == 'S') {
					sprint_symbol(sym, (unsigned long)ptr);
				} else if (fmt[1] == 'B') {
					sprint_backtrace(sym, (unsigned long)ptr);
				} else {
					unsigned long size, offset;
					const char *name = kallsyms_lookup((unsigned long)ptr, &size, &offset);

					if (name)
						snprintf(sym, sizeof(sym), "%s", name);
					else
						snprintf(sym, sizeof(sym), "0x%lx", (unsigned long)ptr);
				}
				fmt++;
				string(&o, sym, width, precision, flags);
				continue;
			}
#endif
			number(&o, (unsigned long)ptr, 16, width < 0 ? 16 : width, -1, flags | ZEROPAD | SMALL);
			continue;
		}
		case '%':
			put(&o, '%');
			continue;
		case 'o':
			base = 8;
			break;
		case 'x':
			flags |= SMALL;
			/* fall through */
		case 'X':
			base = 16;
			break;
		case 'd':
		case 'i':
			flags |= SIGN;
			break;
		case 'u':
			break;
		default:
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			continue;
		}

		if (qualifier >= 1)
			num = (flags & SIGN) ? (unsigned long long)va_arg(args, long) : va_arg(args, unsigned long);
		else
			num = (flags & SIGN) ? (unsigned long long)(long long)va_arg(args, int) : va_arg(args, unsigned int);
		number(&o, num, base, width, precision, flags);
	}

	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, (size_t)-1 >> 1, fmt, args);
	va_end(args);
	return n;
}
