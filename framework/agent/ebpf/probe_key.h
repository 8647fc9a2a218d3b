/* The match key and histogram bucket of one frame, as the in-kernel probes
 * compute them. Plain C that builds for the BPF target (weaver_probes.bpf.c)
 * and for the host (tests/unit/probe_key_test.cpp, which checks that every key
 * here equals weaver::capture::make_match_key on the same frame, and every
 * bucket equals LatencyHistogram::bucket_index).
 *
 * Frames are read from a copy of their first WV_FRAME_BYTES bytes, the
 * captures' snaplen too, so both sides see the same leading payload. Every
 * read is bounds-checked against the copy's length and its offset is masked,
 * which the BPF verifier needs to accept variable offsets and which changes
 * nothing for offsets that passed the check.
 *
 * Decoded as weaver's decoder does: Ethernet, up to two VLAN tags, IPv4 (with
 * options) or IPv6 (without extension headers), TCP, UDP, ICMP/ICMPv6.
 * Everything else that is IP (IPv6 extension headers, VXLAN and Geneve, which
 * weaver's decoder opens) is "unkeyed" here rather than keyed differently. */
#ifndef WEAVER_PROBE_KEY_H
#define WEAVER_PROBE_KEY_H

typedef unsigned char wv_u8;
typedef unsigned short wv_u16;
typedef unsigned int wv_u32;
typedef unsigned long long wv_u64; /* as the kernel's __u64 */

#ifdef __bpf__
#define WV_INLINE static __attribute__((always_inline)) inline
#else
#define WV_INLINE static inline
#endif

#ifdef __clang__
#define WV_UNROLL _Pragma("unroll")
#else
#define WV_UNROLL
#endif

#define WV_FRAME_BYTES 256u
#define WV_FRAME_MASK 255u
/* Masked offset plus the widest read stays inside. */
#define WV_FRAME_SPACE 512u

struct wv_frame {
  wv_u8 bytes[WV_FRAME_SPACE];
  wv_u32 length; /* bytes copied, at most WV_FRAME_BYTES */
};

/* What make_match_key's kinds are (weaver::capture::KeyKind). */
enum wv_key_kind { WV_KEY_AUTO = 0, WV_KEY_TCP_SEQ = 1, WV_KEY_IP_ID = 2, WV_KEY_PAYLOAD_ID = 3, WV_KEY_HASH = 4 };

enum wv_parse_status { WV_PARSED = 0, WV_NOT_IP = 1, WV_MALFORMED = 2, WV_UNSUPPORTED = 3 };

struct wv_fields {
  wv_u8 ip_version;
  wv_u8 protocol;
  wv_u8 has_transport;
  wv_u8 more_fragments;
  wv_u16 fragment_offset;
  wv_u16 source_port;
  wv_u16 destination_port;
  wv_u8 tcp_flags;
  wv_u8 icmp_type;
  wv_u8 icmp_code;
  wv_u16 icmp_identifier;
  wv_u16 icmp_sequence;
  wv_u32 ip_id;
  wv_u32 flow_label;
  wv_u32 tcp_sequence;
  wv_u32 tcp_acknowledgment;
  wv_u32 payload_length;  /* as the IP header states it */
  wv_u32 payload_offset;  /* in the frame */
  wv_u32 payload_size;    /* captured payload bytes */
  wv_u64 source[2];       /* address bytes as little-endian words, IPv4 zero-padded */
  wv_u64 destination[2];
};

WV_INLINE wv_u32 wv_u8_at(const struct wv_frame *f, wv_u32 offset) { return f->bytes[offset & WV_FRAME_MASK]; }

WV_INLINE wv_u32 wv_u16_at(const struct wv_frame *f, wv_u32 offset) {
  const wv_u8 *p = f->bytes + (offset & WV_FRAME_MASK);
  return (wv_u32)p[0] << 8 | p[1];
}

WV_INLINE wv_u32 wv_u32_at(const struct wv_frame *f, wv_u32 offset) {
  const wv_u8 *p = f->bytes + (offset & WV_FRAME_MASK);
  return (wv_u32)p[0] << 24 | (wv_u32)p[1] << 16 | (wv_u32)p[2] << 8 | p[3];
}

/* `count` (<= 8) bytes at `offset` as a little-endian word, as memcpy into a
 * uint64_t gives on the little-endian hosts weaver runs on. */
WV_INLINE wv_u64 wv_le_at(const struct wv_frame *f, wv_u32 offset, wv_u32 count) {
  const wv_u8 *p = f->bytes + (offset & WV_FRAME_MASK);
  wv_u64 value = 0;
WV_UNROLL
  for (wv_u32 i = 0; i < 8; ++i) {
    if (i < count) value |= (wv_u64)p[i] << (8 * i);
  }
  return value;
}

WV_INLINE int wv_has(const struct wv_frame *f, wv_u32 offset, wv_u32 count) {
  return offset + count <= f->length;
}

WV_INLINE void wv_payload(const struct wv_frame *f, struct wv_fields *out, wv_u32 offset, wv_u32 stated,
                          wv_u32 ip_end) {
  out->payload_length = stated;
  out->payload_offset = offset;
  /* The payload span ends where the IP header says, or where the copy does. */
  wv_u32 end = ip_end < f->length ? ip_end : f->length;
  out->payload_size = end > offset ? end - offset : 0;
}

WV_INLINE int wv_transport(const struct wv_frame *f, struct wv_fields *out, wv_u32 offset, wv_u32 stated) {
  const wv_u32 ip_end = offset + stated;
  out->has_transport = 0;
  if (out->fragment_offset != 0) {
    wv_payload(f, out, offset, stated, ip_end);
    return WV_PARSED;
  }
  if (out->protocol == 6) {
    if (!wv_has(f, offset, 20)) return WV_MALFORMED;
    const wv_u32 header = (wv_u8_at(f, offset + 12) >> 4) * 4;
    if (header < 20 || !wv_has(f, offset, header) || header > stated) return WV_MALFORMED;
    out->has_transport = 1;
    out->source_port = (wv_u16)wv_u16_at(f, offset);
    out->destination_port = (wv_u16)wv_u16_at(f, offset + 2);
    out->tcp_sequence = wv_u32_at(f, offset + 4);
    out->tcp_acknowledgment = wv_u32_at(f, offset + 8);
    out->tcp_flags = (wv_u8)wv_u8_at(f, offset + 13);
    wv_payload(f, out, offset + header, stated - header, ip_end);
    return WV_PARSED;
  }
  if (out->protocol == 17) {
    if (!wv_has(f, offset, 8) || stated < 8) return WV_MALFORMED;
    out->has_transport = 1;
    out->source_port = (wv_u16)wv_u16_at(f, offset);
    out->destination_port = (wv_u16)wv_u16_at(f, offset + 2);
    const wv_u16 port = out->destination_port;
    if (port == 4789 || port == 8472 || port == 6081) return WV_UNSUPPORTED; /* an overlay */
    wv_payload(f, out, offset + 8, stated - 8, ip_end);
    return WV_PARSED;
  }
  if (out->protocol == 1 || out->protocol == 58) {
    if (!wv_has(f, offset, 4)) return WV_MALFORMED;
    out->has_transport = 1;
    out->icmp_type = (wv_u8)wv_u8_at(f, offset);
    out->icmp_code = (wv_u8)wv_u8_at(f, offset + 1);
    wv_u32 header = 4;
    const wv_u8 type = out->icmp_type;
    const int echo = out->protocol == 1 ? (type == 0 || type == 8) : (type == 128 || type == 129);
    if (echo) {
      if (!wv_has(f, offset, 8)) return WV_MALFORMED;
      out->icmp_identifier = (wv_u16)wv_u16_at(f, offset + 4);
      out->icmp_sequence = (wv_u16)wv_u16_at(f, offset + 6);
      header = 8;
    }
    if (header > stated) return WV_MALFORMED;
    wv_payload(f, out, offset + header, stated - header, ip_end);
    return WV_PARSED;
  }
  wv_payload(f, out, offset, stated, ip_end);
  return WV_PARSED;
}

WV_INLINE int wv_ipv4(const struct wv_frame *f, struct wv_fields *out, wv_u32 offset) {
  if (!wv_has(f, offset, 20)) return WV_MALFORMED;
  const wv_u32 first = wv_u8_at(f, offset);
  if (first >> 4 != 4) return WV_MALFORMED;
  const wv_u32 header = (first & 0x0f) * 4;
  if (header < 20 || !wv_has(f, offset, header)) return WV_MALFORMED;
  const wv_u32 total = wv_u16_at(f, offset + 2);
  if (total != 0 && total < header) return WV_MALFORMED;
  const wv_u32 flags = wv_u16_at(f, offset + 6);
  out->ip_version = 4;
  out->protocol = (wv_u8)wv_u8_at(f, offset + 9);
  out->ip_id = wv_u16_at(f, offset + 4);
  out->fragment_offset = (wv_u16)(flags & 0x1fff);
  out->more_fragments = (flags & 0x2000) != 0;
  out->source[0] = wv_le_at(f, offset + 12, 4);
  out->destination[0] = wv_le_at(f, offset + 16, 4);
  /* A total length of 0 (segmentation offload): the copy is the payload. */
  const wv_u32 stated = total != 0 ? total - header : f->length - (offset + header);
  return wv_transport(f, out, offset + header, stated);
}

WV_INLINE int wv_ipv6(const struct wv_frame *f, struct wv_fields *out, wv_u32 offset) {
  if (!wv_has(f, offset, 40)) return WV_MALFORMED;
  if (wv_u8_at(f, offset) >> 4 != 6) return WV_MALFORMED;
  out->ip_version = 6;
  out->flow_label = wv_u32_at(f, offset) & 0xfffff;
  const wv_u32 stated_length = wv_u16_at(f, offset + 4);
  out->protocol = (wv_u8)wv_u8_at(f, offset + 6);
  out->source[0] = wv_le_at(f, offset + 8, 8);
  out->source[1] = wv_le_at(f, offset + 16, 8);
  out->destination[0] = wv_le_at(f, offset + 24, 8);
  out->destination[1] = wv_le_at(f, offset + 32, 8);
  switch (out->protocol) {
    case 0: case 43: case 44: case 51: case 60: case 135: case 139: case 140:
      return WV_UNSUPPORTED; /* extension headers */
    default:
      break;
  }
  const wv_u32 stated = stated_length != 0 ? stated_length : f->length - (offset + 40);
  return wv_transport(f, out, offset + 40, stated);
}

/* Decodes an Ethernet frame into `out`, which must be zeroed. */
WV_INLINE int wv_parse(const struct wv_frame *f, struct wv_fields *out) {
  if (!wv_has(f, 0, 14)) return WV_MALFORMED;
  wv_u32 type = wv_u16_at(f, 12);
  wv_u32 offset = 14;
WV_UNROLL
  for (int tag = 0; tag < 2; ++tag) {
    if (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      if (!wv_has(f, offset, 4)) return WV_MALFORMED;
      type = wv_u16_at(f, offset + 2);
      offset += 4;
    }
  }
  if (type == 0x8100 || type == 0x88a8 || type == 0x9100) return WV_UNSUPPORTED;
  if (type == 0x0800) return wv_ipv4(f, out, offset);
  if (type == 0x86dd) return wv_ipv6(f, out, offset);
  return WV_NOT_IP;
}

/* --- keys: weaver::capture::make_match_key, term for term --- */

/* wyhash's fold of the 128-bit product, from 32-bit halves: BPF has no
 * 64x64->128 multiply. */
WV_INLINE wv_u64 wv_fold(wv_u64 a, wv_u64 b) {
  const wv_u64 a_low = a & 0xffffffffull, a_high = a >> 32;
  const wv_u64 b_low = b & 0xffffffffull, b_high = b >> 32;
  const wv_u64 low_low = a_low * b_low;
  const wv_u64 low_high = a_low * b_high;
  const wv_u64 high_low = a_high * b_low;
  const wv_u64 middle = (low_low >> 32) + (low_high & 0xffffffffull) + (high_low & 0xffffffffull);
  const wv_u64 high = a_high * b_high + (low_high >> 32) + (high_low >> 32) + (middle >> 32);
  return (a * b) ^ high;
}

#define WV_SECRET0 0xa0761d6478bd642full
#define WV_SECRET1 0xe7037ed1a0b428dbull
#define WV_SECRET2 0x8ebc6af09c88c6e3ull
#define WV_SECRET3 0x589965cc75374cc3ull
#define WV_SECRET4 0x1d8e4e27c47d124full
#define WV_SECRET5 0x9e3779b97f4a7c15ull

WV_INLINE wv_u64 wv_finish(wv_u64 h) {
  h = wv_fold(h ^ WV_SECRET0, h ^ WV_SECRET5);
  return h == 0 ? 1 : h;
}

WV_INLINE wv_u64 wv_hash_key(const struct wv_frame *f, const struct wv_fields *p) {
  const wv_u64 header = (wv_u64)p->ip_version | (wv_u64)p->protocol << 8 | (wv_u64)p->fragment_offset << 16 |
                        (wv_u64)p->more_fragments << 29 | (wv_u64)p->payload_length << 32;
  const wv_u64 identity = (wv_u64)p->ip_id | (wv_u64)p->flow_label << 32;
  const wv_u64 ports = (wv_u64)p->source_port | (wv_u64)p->destination_port << 16 | (wv_u64)p->tcp_flags << 32 |
                       (wv_u64)p->icmp_type << 40 | (wv_u64)p->icmp_code << 48 | (wv_u64)p->has_transport << 56;
  const wv_u64 tcp = (wv_u64)p->tcp_sequence | (wv_u64)p->tcp_acknowledgment << 32;
  const wv_u64 icmp = (wv_u64)p->icmp_identifier | (wv_u64)p->icmp_sequence << 16;
  const wv_u32 size = p->payload_size;
  wv_u64 first = 0, second = 0;
  if (size >= 16) {
    first = wv_le_at(f, p->payload_offset, 8);
    second = wv_le_at(f, p->payload_offset + 8, 8);
  } else if (size >= 8) {
    first = wv_le_at(f, p->payload_offset, 8);
    second = wv_le_at(f, p->payload_offset + 8, size - 8);
  } else {
    first = wv_le_at(f, p->payload_offset, size);
  }
  const wv_u64 h = wv_fold(header ^ WV_SECRET0, identity ^ WV_SECRET1) +
                   wv_fold(p->source[0] ^ WV_SECRET2, p->source[1] ^ WV_SECRET3) +
                   wv_fold(p->destination[0] ^ WV_SECRET4, p->destination[1] ^ WV_SECRET1) +
                   wv_fold(ports ^ WV_SECRET3, tcp ^ WV_SECRET2) + wv_fold(icmp ^ WV_SECRET4, first ^ WV_SECRET0) +
                   wv_fold(second ^ WV_SECRET1, WV_SECRET5);
  return wv_finish(h);
}

WV_INLINE wv_u64 wv_ip_id_key(const struct wv_fields *p) {
  const wv_u64 header = (wv_u64)p->ip_version | (wv_u64)p->protocol << 8 |
                        (wv_u64)(p->ip_version == 4 ? p->ip_id : p->flow_label) << 32;
  return wv_finish(wv_fold(header ^ WV_SECRET2, WV_SECRET3) +
                   wv_fold(p->source[0] ^ WV_SECRET2, p->source[1] ^ WV_SECRET3) +
                   wv_fold(p->destination[0] ^ WV_SECRET4, p->destination[1] ^ WV_SECRET1));
}

WV_INLINE wv_u64 wv_tcp_seq_key(const struct wv_fields *p) {
  if (!p->has_transport || p->protocol != 6) return 0;
  return wv_finish(wv_fold((wv_u64)p->tcp_sequence ^ WV_SECRET3, WV_SECRET4));
}

/* weaver's payload identifier: "WVR1", run id, sequence (big-endian). */
WV_INLINE wv_u64 wv_payload_id_key(const struct wv_frame *f, const struct wv_fields *p) {
  if (p->payload_size < 16 || wv_u32_at(f, p->payload_offset) != 0x57565231u) return 0;
  const wv_u64 run = wv_u32_at(f, p->payload_offset + 4);
  const wv_u64 sequence = (wv_u64)wv_u32_at(f, p->payload_offset + 8) << 32 | wv_u32_at(f, p->payload_offset + 12);
  return wv_finish(wv_fold(run ^ WV_SECRET4, sequence ^ WV_SECRET2));
}

/* The key of `kind`; 0 when the packet has nothing it is made of. `*used`
 * says which kind AUTO resolved to. */
WV_INLINE wv_u64 wv_match_key(const struct wv_frame *f, const struct wv_fields *p, int kind, int *used) {
  *used = kind;
  switch (kind) {
    case WV_KEY_TCP_SEQ:
      return wv_tcp_seq_key(p);
    case WV_KEY_IP_ID:
      return wv_ip_id_key(p);
    case WV_KEY_PAYLOAD_ID:
      return wv_payload_id_key(f, p);
    case WV_KEY_HASH:
      return wv_hash_key(f, p);
    default: {
      const wv_u64 id = wv_payload_id_key(f, p);
      *used = id != 0 ? WV_KEY_PAYLOAD_ID : WV_KEY_HASH;
      return id != 0 ? id : wv_hash_key(f, p);
    }
  }
}

/* --- LatencyHistogram's log-linear buckets: 2048 exact, then 1024 per power of two --- */

#define WV_LINEAR_BITS 11u
#define WV_LINEAR_LIMIT 2048u
#define WV_SUB_BUCKETS 1024u
#define WV_BUCKETS (WV_LINEAR_LIMIT + (64u - WV_LINEAR_BITS) * WV_SUB_BUCKETS)

WV_INLINE wv_u32 wv_bit_width(wv_u64 v) {
  wv_u32 width = 0;
  if (v >> 32) { width += 32; v >>= 32; }
  if (v >> 16) { width += 16; v >>= 16; }
  if (v >> 8) { width += 8; v >>= 8; }
  if (v >> 4) { width += 4; v >>= 4; }
  if (v >> 2) { width += 2; v >>= 2; }
  if (v >> 1) { width += 1; v >>= 1; }
  return width + (wv_u32)v;
}

WV_INLINE wv_u32 wv_bucket_index(wv_u64 magnitude) {
  if (magnitude < WV_LINEAR_LIMIT) return (wv_u32)magnitude;
  const wv_u32 shift = wv_bit_width(magnitude) - WV_LINEAR_BITS;
  const wv_u64 sub = (magnitude >> shift) - WV_SUB_BUCKETS;
  return WV_LINEAR_LIMIT + (shift - 1) * WV_SUB_BUCKETS + (wv_u32)sub;
}

#endif
