/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel view of the flag bits: the uapi definitions. */
#ifndef _ASM_X86_PROCESSOR_FLAGS_H
#define _ASM_X86_PROCESSOR_FLAGS_H

#include <uapi/asm/processor-flags.h>

#endif
