/* weaver's in-kernel measurement: stamps a case's packets where they reach the
 * first interface (receive) and leave through the second (transmit), matches
 * them in the kernel by weaver's match key and adds each delay to the same
 * log-linear histogram weaver's analysis keeps. No packet is copied to user
 * space; per-packet records go through a ring buffer only when asked.
 *
 * First side (receive): net:netif_rx (veth and other software devices),
 * net:netif_receive_skb_entry and net:napi_gro_receive_entry (NIC drivers).
 * A packet that passes more than one of them keeps its earliest stamp.
 * Second side (transmit): net:net_dev_start_xmit.
 * Drops: skb:kfree_skb, for packets stamped on the first side and not yet
 * seen on the second: their reason and the code location that freed them.
 *
 * Both interfaces are named by ifindex and network namespace (inode), so a
 * device of the same index in another namespace is never counted. */
#include "kernel_types.h"

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "probe_maps.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the agent before loading: the verifier sees them as constants. */
const volatile __u32 first_ifindex = 0;
const volatile __u32 second_ifindex = 0;
const volatile __u32 netns_inode = 0;
const volatile __u32 key_kind = WV_KEY_AUTO;
const volatile __u32 keep_records = 0;
const volatile struct wv_flow flow = {};

/* Shared with the agent through the skeleton's .bss mapping. */
__u64 histogram[2 * WV_BUCKETS] = {}; /* positive deltas, then negative by magnitude */
__u64 latest_matched_first_ns = 0;

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, WV_PENDING_ENTRIES);
  __type(key, __u64);
  __type(value, struct wv_pending);
} pending SEC(".maps");

/* Per CPU, summed by the agent: no cache line bounces between the CPUs
 * that run the two sides. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct wv_counters);
} counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct wv_moments);
} moments SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct wv_frame);
} scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, WV_RECORD_RING_BYTES);
} records SEC(".maps");

static __always_inline void add(enum wv_counter counter, __u64 amount) {
  const __u32 zero = 0;
  struct wv_counters *mine = bpf_map_lookup_elem(&counters, &zero);
  if (mine) mine->values[counter] += amount;
}

static __always_inline void count(enum wv_counter counter) { add(counter, 1); }

static __always_inline int on_interface(const struct net_device *dev, __u32 ifindex) {
  /* Typed (BTF) pointers: direct loads, each relocated by CO-RE and cheaper
   * than a bpf_probe_read_kernel call. */
  if (!dev || dev->ifindex != (int)ifindex) return 0;
  return dev->nd_net.net->ns.inum == netns_inode;
}

static __always_inline int from_flow(const struct wv_fields *p) {
  if (p->ip_version != flow.ip_version || p->protocol != flow.protocol) return 0;
  if (p->destination[0] != flow.destination[0] || p->destination[1] != flow.destination[1]) return 0;
WV_UNROLL
  for (__u32 i = 0; i < WV_MAX_SOURCES; ++i) {
    if (i < flow.source_count && p->source[0] == flow.sources[i][0] && p->source[1] == flow.sources[i][1]) {
      return 1;
    }
  }
  return 0;
}

/* The frame from its Ethernet header, as far as the linear part and
 * WV_FRAME_BYTES go; *complete: nothing a capture of that snaplen would have
 * is missing. */
static __always_inline struct wv_frame *copy_frame(const struct sk_buff *skb, int *complete) {
  const __u32 zero = 0;
  struct wv_frame *frame = bpf_map_lookup_elem(&scratch, &zero);
  if (!frame) return 0;
  const __u16 mac = skb->mac_header;
  const __u32 tail = skb->tail;
  unsigned char *head = skb->head;
  unsigned char *data = skb->data;
  if (mac == (__u16)~0u || tail <= mac || data < head + mac) return 0;
  const __u32 wire = skb->len + (__u32)(data - (head + mac));
  const __u32 linear = tail - mac;
  const __u32 wanted = wire < WV_FRAME_BYTES ? wire : WV_FRAME_BYTES;
  *complete = linear >= wanted;
  __u64 size = linear < wanted ? linear : wanted;
  /* Bounds checked on the register the helper gets, as the verifier needs. */
  asm volatile("" : "+r"(size));
  if (size > WV_FRAME_BYTES) return 0;
  if (bpf_probe_read_kernel(frame->bytes, size, head + mac) != 0) return 0;
  frame->length = size;
  return frame;
}

/* The key of a packet of the flow, or 0 (not of the flow, or no key).
 * `side`: 0 first, 1 second (counted), 2 the drop probe (not counted). */
static __always_inline __u64 flow_key(const struct sk_buff *skb, int side) {
  const int second = side == 1;
  const int counted = side != 2;
  int complete = 0;
  struct wv_frame *frame = copy_frame(skb, &complete);
  if (!frame) return 0;
  struct wv_fields fields = {};
  const int status = wv_parse(frame, &fields);
  if (status == WV_NOT_IP) return 0;
  if (status == WV_PARSED && !from_flow(&fields)) return 0;
  if (status == WV_MALFORMED) {
    if (counted) count(second ? WV_SECOND_MALFORMED : WV_FIRST_MALFORMED);
    return 0;
  }
  if (status != WV_PARSED) {
    if (counted) count(second ? WV_SECOND_UNKEYED : WV_FIRST_UNKEYED);
    return 0;
  }
  if (!complete) {
    if (counted) count(second ? WV_SECOND_NOT_LINEAR : WV_FIRST_NOT_LINEAR);
    return 0;
  }
  int used = WV_KEY_AUTO;
  const __u64 key = wv_match_key(frame, &fields, key_kind, &used);
  if (key == 0) {
    if (counted) count(second ? WV_SECOND_UNKEYED : WV_FIRST_UNKEYED);
    return 0;
  }
  if (!counted) return key;
  if (used == WV_KEY_PAYLOAD_ID) count(second ? WV_SECOND_PAYLOAD_ID_KEYS : WV_FIRST_PAYLOAD_ID_KEYS);
  if (used == WV_KEY_HASH) count(second ? WV_SECOND_HASH_KEYS : WV_FIRST_HASH_KEYS);
  return key;
}

static __always_inline void first_side(const struct sk_buff *skb) {
  const __u64 reached = bpf_ktime_get_ns();
  if (!on_interface(skb->dev, first_ifindex)) return;
  const __u64 key = flow_key(skb, 0);
  if (key == 0) return;
  const __u64 address = (__u64)skb;
  /* The packet waited for this probe from `reached` until now: its stamp
   * leaves that out, so the delay is the datapath's, not the probe's. The
   * probe's own time is summed apart (probe_ns). */
  struct wv_pending entry = {bpf_ktime_get_ns(), address, 0, 0, 0};
  if (bpf_map_update_elem(&pending, &key, &entry, BPF_NOEXIST) != 0) {
    const struct wv_pending *waiting = bpf_map_lookup_elem(&pending, &key);
    if (!waiting) {
      count(WV_MAP_FULL);
      count(WV_FIRST_PACKETS);
    } else if (waiting->skb != address) {
      count(WV_FIRST_DUPLICATES); /* the first keeps its stamp, as weaver's join does */
      count(WV_FIRST_PACKETS);
    } /* else: the same packet at a later hook */
    return;
  }
  count(WV_FIRST_PACKETS);
  count(WV_FIRST_INSERTED);
  add(WV_PROBE_NS, entry.timestamp_ns - reached);
}

static __always_inline void add_moments(__u64 first_ns, __s64 delta) {
  const __u32 zero = 0;
  struct wv_moments *m = bpf_map_lookup_elem(&moments, &zero);
  if (!m) return;
  /* Per CPU, and a probe does not run twice at once on one CPU: no atomics. */
  const __u64 magnitude = delta < 0 ? (__u64)-delta : (__u64)delta;
  const __u64 square = magnitude * magnitude; /* exact below 4.29 s */
  if (m->count == 0) {
    m->min_ns = m->max_ns = (__u64)delta;
    m->first_matched_ns = m->last_matched_ns = first_ns;
  }
  m->count += 1;
  m->sum_ns += (__u64)delta;
  m->sum_squares_low += square;
  if (m->sum_squares_low < square) m->sum_squares_high += 1;
  if (delta < (__s64)m->min_ns) m->min_ns = (__u64)delta;
  if (delta > (__s64)m->max_ns) m->max_ns = (__u64)delta;
  if (first_ns < m->first_matched_ns) m->first_matched_ns = first_ns;
  if (first_ns > m->last_matched_ns) m->last_matched_ns = first_ns;
}

static __always_inline void add_record(__u64 first_ns, __u64 second_ns, __u64 key) {
  struct wv_record *record = bpf_ringbuf_reserve(&records, sizeof *record, 0);
  if (!record) {
    count(WV_RING_FULL);
    return;
  }
  record->first_ns = first_ns;
  record->second_ns = second_ns;
  record->key = key;
  /* Batched wakeups: the agent also drains the ring on a timer. */
  const __u64 waiting = bpf_ringbuf_query(&records, BPF_RB_AVAIL_DATA);
  bpf_ringbuf_submit(record, waiting >= WV_RECORD_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline void second_side(const struct sk_buff *skb, const struct net_device *dev) {
  const __u64 now = bpf_ktime_get_ns();
  if (!on_interface(dev, second_ifindex)) return;
  const __u64 key = flow_key(skb, 1);
  if (key == 0) return;
  count(WV_SECOND_PACKETS);
  struct wv_pending *waiting = bpf_map_lookup_elem(&pending, &key);
  if (!waiting) {
    count(WV_SECOND_ONLY);
    return;
  }
  const struct wv_pending found = *waiting;
  if (bpf_map_delete_elem(&pending, &key) != 0) return; /* another CPU matched it */
  count(WV_MATCHED);
  const __s64 delta = (__s64)(now - found.timestamp_ns);
  if (delta < 0) count(WV_NEGATIVE);
  const __u64 magnitude = delta < 0 ? (__u64)-delta : (__u64)delta;
  __u32 index = wv_bucket_index(magnitude) + (delta < 0 ? WV_BUCKETS : 0);
  if (index < 2 * WV_BUCKETS) __sync_fetch_and_add(&histogram[index], 1);
  add_moments(found.timestamp_ns, delta);
  /* Matches come in second-side order: a packet stamped on the first side
   * before one already matched was overtaken in the datapath. Across CPUs
   * this is as exact as the order the CPUs reach this line in. */
  const __u64 latest = latest_matched_first_ns;
  if (found.timestamp_ns < latest) {
    count(WV_REORDERED);
  } else {
    latest_matched_first_ns = found.timestamp_ns;
  }
  if (keep_records) add_record(found.timestamp_ns, now, key);
}

SEC("tp_btf/netif_rx")
int BPF_PROG(weaver_netif_rx, struct sk_buff *skb) {
  first_side(skb);
  return 0;
}

SEC("tp_btf/netif_receive_skb_entry")
int BPF_PROG(weaver_netif_receive_skb_entry, struct sk_buff *skb) {
  first_side(skb);
  return 0;
}

SEC("tp_btf/napi_gro_receive_entry")
int BPF_PROG(weaver_napi_gro_receive_entry, struct sk_buff *skb) {
  first_side(skb);
  return 0;
}

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(weaver_net_dev_start_xmit, const struct sk_buff *skb, const struct net_device *dev) {
  second_side(skb, dev);
  return 0;
}

/* A packet freed between the sides keeps its pending entry, marked with the
 * reason and the place: a copy of it may still reach the second side (a
 * userspace datapath forwards copies and the kernel drops the original), and
 * then it counts as delivered. What is still marked at the end was lost there. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(weaver_kfree_skb, struct sk_buff *skb, void *location, int reason) {
  /* Only sk_buffs still on a device of this namespace: the drops between the
   * two sides (netfilter, qdiscs, routing); the guest's are elsewhere. */
  const struct net_device *dev = skb->dev;
  if (!dev || dev->nd_net.net->ns.inum != netns_inode) return 0;
  const __u64 key = flow_key(skb, 2);
  if (key == 0) return 0;
  struct wv_pending *waiting = bpf_map_lookup_elem(&pending, &key);
  /* Only the very packet stamped: not a copy of it, nor a later packet. */
  if (!waiting || waiting->skb != (__u64)skb) return 0;
  waiting->drop_location = (__u64)location;
  waiting->drop_reason = (__u32)reason;
  waiting->dropped = 1;
  return 0;
}
