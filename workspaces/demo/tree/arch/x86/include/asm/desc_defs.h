/* SPDX-License-Identifier: GPL-2.0 */
/* Segment, TSS and gate descriptor formats. */
#ifndef _ASM_X86_DESC_DEFS_H
#define _ASM_X86_DESC_DEFS_H

#ifndef __ASSEMBLY__
#include <linux/types.h>

/* 8-byte segment descriptor */
struct desc_struct {
	u16	limit0;
	u16	base0;
	u16	base1: 8, type: 4, s: 1, dpl: 2, p: 1;
	u16	limit1: 4, avl: 1, l: 1, d: 1, g: 1, base2: 8;
} __packed;

#define GDT_ENTRY_INIT(flags, base, limit)			\
	{							\
		.limit0		= (u16) (limit),		\
		.limit1		= ((limit) >> 16) & 0x0F,	\
		.base0		= (u16) (base),			\
		.base1		= ((base) >> 16) & 0xFF,	\
		.base2		= ((base) >> 24) & 0xFF,	\
		.type		= ((flags) & 0x0f),		\
		.s		= ((flags) >> 4) & 0x01,		\
		.dpl		= ((flags) >> 5) & 0x03,		\
		.p		= ((flags) >> 7) & 0x01,		\
		.avl		= ((flags) >> 12) & 0x01,		\
		.l		= ((flags) >> 13) & 0x01,		\
		.d		= ((flags) >> 14) & 0x01,		\
		.g		= ((flags) >> 15) & 0x01,		\
	}

enum {
	GATE_INTERRUPT = 0xE,
	GATE_TRAP = 0xF,
	GATE_CALL = 0xC,
	GATE_TASK = 0x5,
};

enum {
	DESC_TSS = 0x9,
	DESC_LDT = 0x2,
};

/* 16-byte system descriptor (TSS) in long mode */
struct ldttss_desc {
	u16	limit0;
	u16	base0;
	u16	base1 : 8, type : 5, dpl : 2, p : 1;
	u16	limit1 : 4, zero0 : 3, g : 1, base2 : 8;
	u32	base3;
	u32	zero1;
} __packed;

typedef struct ldttss_desc tss_desc;

struct idt_bits {
	u16	ist	: 3,
		zero	: 5,
		type	: 5,
		dpl	: 2,
		p	: 1;
} __packed;

/* 16-byte interrupt/trap gate */
struct gate_struct {
	u16		offset_low;
	u16		segment;
	struct idt_bits	bits;
	u16		offset_middle;
	u32		offset_high;
	u32		reserved;
} __packed;

typedef struct gate_struct gate_desc;

struct desc_ptr {
	unsigned short size;
	unsigned long address;
} __packed;

#endif /* !__ASSEMBLY__ */

/* Descriptor flag words for GDT_ENTRY_INIT: type, S, DPL, P, AVL, L, D/B, G. */
#define DESC_CODE64		0xa09b	/* G=1 L=1 P=1 DPL=0 S=1 code, readable, accessed */
#define DESC_CODE32		0xc09b	/* G=1 D=1 P=1 DPL=0 S=1 code, readable, accessed */
#define DESC_DATA64		0xc093	/* G=1 D=1 P=1 DPL=0 S=1 data, writable, accessed */
#define DESC_USER		0x0060	/* DPL=3 */

#endif
