/* What weaver_probes.bpf.c and the agent (ebpf_capture.cpp) share: the
 * layout of the maps' values and the meaning of each counter. Plain C. */
#ifndef WEAVER_PROBE_MAPS_H
#define WEAVER_PROBE_MAPS_H

#include "probe_key.h"

#define WV_MAX_SOURCES 8u

/* The case's flow, as the capture filter states it for libpcap. */
struct wv_flow {
  wv_u8 protocol;     /* 6, 17, 1 (IPv4) or 58 (IPv6) */
  wv_u8 ip_version;   /* 4 or 6 */
  wv_u8 source_count; /* 1..WV_MAX_SOURCES */
  wv_u8 unused;
  wv_u64 sources[WV_MAX_SOURCES][2]; /* as wv_fields holds addresses */
  wv_u64 destination[2];
};

/* A packet seen on the first side, waiting for the second. */
struct wv_pending {
  wv_u64 timestamp_ns;  /* bpf_ktime_get_ns */
  wv_u64 skb;           /* the sk_buff's address: the same packet at a later hook */
  wv_u64 drop_location; /* set by skb:kfree_skb: kernel text address that freed it */
  wv_u32 drop_reason;   /* enum skb_drop_reason */
  wv_u32 dropped;
};

/* Per CPU, summed by the agent: exact moments as LatencyResult keeps them. */
struct wv_moments {
  wv_u64 count;
  wv_u64 sum_ns;
  wv_u64 sum_squares_low; /* 128-bit sum of squares */
  wv_u64 sum_squares_high;
  wv_u64 min_ns;
  wv_u64 max_ns;
  wv_u64 first_matched_ns; /* first-side timestamps of the matched packets */
  wv_u64 last_matched_ns;
};

/* One matched packet, through the ring buffer when records are asked for. */
struct wv_record {
  wv_u64 first_ns;
  wv_u64 second_ns;
  wv_u64 key;
};

enum wv_counter {
  WV_FIRST_PACKETS,        /* of the flow, on the first side, once per packet */
  WV_SECOND_PACKETS,
  WV_FIRST_UNKEYED,        /* nothing the key is made of, or headers this probe does not open */
  WV_SECOND_UNKEYED,
  WV_FIRST_MALFORMED,
  WV_SECOND_MALFORMED,
  WV_FIRST_NOT_LINEAR,     /* the headers were not all in the sk_buff's linear part */
  WV_SECOND_NOT_LINEAR,
  WV_FIRST_PAYLOAD_ID_KEYS,
  WV_SECOND_PAYLOAD_ID_KEYS,
  WV_FIRST_HASH_KEYS,
  WV_SECOND_HASH_KEYS,
  WV_FIRST_DUPLICATES,     /* a second packet with the key of one still waiting */
  WV_FIRST_INSERTED,       /* pending entries made */
  WV_MATCHED,
  WV_SECOND_ONLY,          /* on the second side without a first-side partner */
  WV_REORDERED,
  WV_NEGATIVE,
  WV_MAP_FULL,             /* the tool's own: no room to remember a packet */
  WV_RING_FULL,            /* the tool's own: a per-packet record not written */
  WV_PROBE_NS,             /* time the first-side probe held its packets, left out of their stamps */
  WV_COUNTERS
};

struct wv_counters {
  wv_u64 values[WV_COUNTERS];
};

#define WV_PENDING_ENTRIES (1u << 18)
#define WV_RECORD_RING_BYTES (8u << 20)
/* Wake the agent once this much of the ring is waiting, not per record. */
#define WV_RECORD_WAKEUP_BYTES (256u << 10)

#endif
