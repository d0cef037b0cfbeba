/* SPDX-License-Identifier: GPL-2.0 */
/* Compiler attributes and the small helpers every kernel file uses. */
#ifndef __LINUX_COMPILER_H
#define __LINUX_COMPILER_H

#ifndef __ASSEMBLY__

#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __noreturn		__attribute__((__noreturn__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __section(s)		__attribute__((__section__(s)))
#define __used			__attribute__((__used__))
#define __maybe_unused		__attribute__((__unused__))
#define __visible		__attribute__((__externally_visible__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __weak			__attribute__((__weak__))
#define __cold			__attribute__((__cold__))
#define asmlinkage

/* Code that runs before the kernel's state is sane on entry and exit: kept apart, never inlined. */
#define noinstr			noinline __section(".noinstr.text")
#define notrace

/* Address-space markers: documentation only here (no sparse run). */
#define __user
#define __kernel
#define __force

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" : : : "memory")
#define unreachable()		__builtin_unreachable()

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))

/* Accepted by objtool in Linux; here they only document where instrumentation may run. */
#define instrumentation_begin()	do { } while (0)
#define instrumentation_end()	do { } while (0)

#endif /* __ASSEMBLY__ */
#endif
