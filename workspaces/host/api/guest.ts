// Guest API: QEMU boots with a live terminal (filled in by the guest issue).
export interface GuestMethods {}
export interface GuestEvents {}
