/* The few kernel types the probes read, by name: CO-RE (preserve_access_index)
 * relocates each field to where the running kernel's BTF has it, so the
 * program needs no vmlinux.h of the build machine. */
#ifndef WEAVER_KERNEL_TYPES_H
#define WEAVER_KERNEL_TYPES_H

#include <linux/types.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct ns_common {
  unsigned int inum;
};

struct net {
  struct ns_common ns;
};

typedef struct {
  struct net *net;
} possible_net_t;

struct net_device {
  int ifindex;
  possible_net_t nd_net;
};

struct sk_buff {
  struct net_device *dev;
  unsigned int len;
  unsigned int data_len;
  __u16 mac_header;
  unsigned int tail; /* sk_buff_data_t: an offset from head on 64-bit kernels */
  unsigned char *head;
  unsigned char *data;
};

#pragma clang attribute pop

#endif
