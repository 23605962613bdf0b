//! What ZooKeeper 3.8.6 counts for the four-letter words: the server-wide
//! `ServerStats` (with its `AvgMinMaxCounter` of request latencies and the
//! `BufferStats` of response sizes) and the per-connection counters of
//! `ServerCnxn`. Plain data: no clock is read, every time is passed in (ms),
//! and the arithmetic is Java's (`long` division for a connection's average,
//! a `double` rounded half-up to four places for the server's).

use serde::{Deserialize, Serialize};

/// `BufferStats`: the last, smallest and largest size seen, `-1` until the
/// first one (the leader's proposal sizes, the server's response sizes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BufferStats {
    pub last: i32,
    pub min: i32,
    pub max: i32,
}

impl Default for BufferStats {
    fn default() -> Self {
        BufferStats { last: -1, min: -1, max: -1 }
    }
}

impl BufferStats {
    /// `setLastBufferSize`.
    pub fn set_last(&mut self, size: i32) {
        self.last = size;
        if self.min == -1 || size < self.min {
            self.min = size;
        }
        if size > self.max {
            self.max = size;
        }
    }

    /// `reset`: back to `-1/-1/-1`.
    pub fn reset(&mut self) {
        *self = BufferStats::default();
    }

    /// `toString`: `last/min/max`.
    pub fn render(&self) -> String {
        format!("{}/{}/{}", self.last, self.min, self.max)
    }
}

/// `AvgMinMaxCounter`: count, total, min and max of data points; min and max
/// read as 0 while there are none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvgMinMaxCounter {
    total: i64,
    count: i64,
    min: i64,
    max: i64,
}

impl Default for AvgMinMaxCounter {
    fn default() -> Self {
        AvgMinMaxCounter { total: 0, count: 0, min: i64::MAX, max: i64::MIN }
    }
}

impl AvgMinMaxCounter {
    /// `addDataPoint`.
    pub fn add(&mut self, value: i64) {
        self.total = self.total.wrapping_add(value);
        self.count += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    /// `getAvg`: `total / (double) count`, rounded half-up to four decimal
    /// places (`BigDecimal.setScale(4, HALF_UP)`), 0 with no data.
    pub fn avg(&self) -> f64 {
        if self.count > 0 {
            round_half_up_4(self.total as f64 / self.count as f64)
        } else {
            0.0
        }
    }

    pub fn min(&self) -> i64 {
        if self.min == i64::MAX {
            0
        } else {
            self.min
        }
    }

    pub fn max(&self) -> i64 {
        if self.max == i64::MIN {
            0
        } else {
            self.max
        }
    }

    pub fn count(&self) -> i64 {
        self.count
    }

    pub fn total(&self) -> i64 {
        self.total
    }

    /// `resetMax`: the max becomes the current min.
    pub fn reset_max(&mut self) {
        self.max = self.min();
    }

    pub fn reset(&mut self) {
        *self = AvgMinMaxCounter::default();
    }
}

/// `ServerStats`: what `srvr`, `stat` and `mntr` print about the server as a
/// whole. The values a Java `ServerStats.Provider` supplies (outstanding
/// requests, last zxid, state, connection count) live in the four-letter
/// view, not here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStats {
    pub packets_sent: u64,
    pub packets_received: u64,
    latency: AvgMinMaxCounter,
    /// Syncs slower than `fsync.warningthresholdms`; a simulated disk never
    /// is, so this stays 0 unless a caller counts something.
    pub fsync_threshold_exceed_count: u64,
    /// Sizes of the responses sent to clients (`zk_*_client_response_size`).
    pub client_response_stats: BufferStats,
    pub non_mtls_remote_conn_count: u64,
    pub non_mtls_local_conn_count: u64,
    pub auth_failed_count: u64,
}

impl ServerStats {
    pub fn new() -> Self {
        Self::default()
    }

    /// `incrementPacketsReceived`: every client packet, four-letter words
    /// included (`ServerCnxn.packetReceived`).
    pub fn packet_received(&mut self) {
        self.packets_received += 1;
    }

    /// `incrementPacketsSent`: every packet queued to a client (replies,
    /// notifications; not the text of a four-letter word).
    pub fn packet_sent(&mut self) {
        self.packets_sent += 1;
    }

    /// `updateLatency(request, currentTime)`: the request's age when
    /// FinalRequestProcessor answers it; a negative age is ignored.
    pub fn update_latency(&mut self, created_ms: i64, now_ms: i64) {
        let latency = now_ms.wrapping_sub(created_ms);
        if latency < 0 {
            return;
        }
        self.latency.add(latency);
    }

    /// `updateClientResponseSize`.
    pub fn update_client_response_size(&mut self, size: i32) {
        self.client_response_stats.set_last(size);
    }

    pub fn min_latency(&self) -> i64 {
        self.latency.min()
    }

    /// The average request latency, as `getAvgLatency` returns it.
    pub fn avg_latency(&self) -> f64 {
        self.latency.avg()
    }

    pub fn max_latency(&self) -> i64 {
        self.latency.max()
    }

    pub fn latency(&self) -> &AvgMinMaxCounter {
        &self.latency
    }

    pub fn increment_fsync_threshold_exceed_count(&mut self) {
        self.fsync_threshold_exceed_count += 1;
    }

    pub fn increment_auth_failed_count(&mut self) {
        self.auth_failed_count += 1;
    }

    pub fn reset_latency(&mut self) {
        self.latency.reset();
    }

    pub fn reset_max_latency(&mut self) {
        self.latency.reset_max();
    }

    pub fn reset_request_counters(&mut self) {
        self.packets_received = 0;
        self.packets_sent = 0;
    }

    /// `reset` (the `srst` word): latencies, packet counters and response
    /// sizes. The fsync, auth-failure and non-mTLS counters are not reset,
    /// as in 3.8.6.
    pub fn reset(&mut self) {
        self.reset_latency();
        self.reset_request_counters();
        self.client_response_stats.reset();
    }
}

/// A connection's counters (`ServerCnxn`'s fields), printed by `cons` and,
/// in part, `stat`.
///
/// A new connection starts with Java's field defaults, not with what
/// `resetStats` sets: `lastOp` is null (printed `null`), `lastCxid` and
/// `lastZxid` are 0, and `minLatency` is 0, so its `minlat` stays 0 until
/// `crst` resets it to "none yet".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStats {
    pub packets_received: u64,
    pub packets_sent: u64,
    min_latency: i64,
    max_latency: i64,
    pub last_op: Option<String>,
    pub last_cxid: i64,
    pub last_zxid: i64,
    /// The monotonic clock (ms) when the last response was sent.
    pub last_response_time: i64,
    pub last_latency: i64,
    count: i64,
    total_latency: i64,
}

impl ConnectionStats {
    /// A connection just accepted.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn packet_received(&mut self) {
        self.packets_received += 1;
    }

    pub fn packet_sent(&mut self) {
        self.packets_sent += 1;
    }

    /// `resetStats` (the `crst` word): `lastOp` becomes `NA`, `lastCxid` and
    /// `lastZxid` -1, and min latency "none yet".
    pub fn reset(&mut self) {
        *self = ConnectionStats {
            packets_received: 0,
            packets_sent: 0,
            min_latency: i64::MAX,
            max_latency: 0,
            last_op: Some("NA".into()),
            last_cxid: -1,
            last_zxid: -1,
            last_response_time: 0,
            last_latency: 0,
            count: 0,
            total_latency: 0,
        };
    }

    /// `updateStatsForResponse(cxid, zxid, op, start, end)`: FinalRequestProcessor
    /// answered a request created at `start_ms` at `end_ms` (monotonic ms).
    /// A negative cxid (pings, auth, set-watches) keeps the last real one.
    pub fn update_for_response(&mut self, cxid: i64, zxid: i64, op: &str, start_ms: i64, end_ms: i64) {
        if cxid >= 0 {
            self.last_cxid = cxid;
        }
        self.last_zxid = zxid;
        self.last_op = Some(op.to_string());
        self.last_response_time = end_ms;
        let elapsed = end_ms.wrapping_sub(start_ms);
        self.last_latency = elapsed;
        if elapsed < self.min_latency {
            self.min_latency = elapsed;
        }
        if elapsed > self.max_latency {
            self.max_latency = elapsed;
        }
        self.count += 1;
        self.total_latency = self.total_latency.wrapping_add(elapsed);
    }

    pub fn min_latency(&self) -> i64 {
        if self.min_latency == i64::MAX {
            0
        } else {
            self.min_latency
        }
    }

    /// `getAvgLatency`: integer division, 0 with no responses.
    pub fn avg_latency(&self) -> i64 {
        if self.count == 0 {
            0
        } else {
            self.total_latency / self.count
        }
    }

    pub fn max_latency(&self) -> i64 {
        self.max_latency
    }

    /// `lastOp` as Java prints it (`null` before the first response).
    pub fn last_op_text(&self) -> &str {
        self.last_op.as_deref().unwrap_or("null")
    }
}

/// `new BigDecimal(d).setScale(4, RoundingMode.HALF_UP).doubleValue()`,
/// exactly: the binary value of `d` is rounded, not its shortest decimal.
pub fn round_half_up_4(d: f64) -> f64 {
    if !d.is_finite() || d == 0.0 {
        return d;
    }
    let bits = d.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
    if e >= 0 {
        // An integer already.
        return d;
    }
    let k = (-e) as u32;
    // q = floor(m * 2^e * 10000 + 1/2) = floor((m*20000 + 2^k) / 2^(k+1)).
    let q: u128 = if k >= 68 { 0 } else { (u128::from(m) * 20_000 + (1u128 << k)) >> (k + 1) };
    let r = q as f64 / 10_000.0;
    if d < 0.0 {
        -r
    } else {
        r
    }
}

/// `Double.toString(d)`: the shortest decimal that reads back as `d`, with at
/// least one digit after the point; scientific (`1.0E7`, `1.0E-4`) outside
/// [10⁻³, 10⁷).
pub fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let a = d.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{d:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((s.as_str(), "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exponent}")
        } else {
            format!("{mantissa}.0E{exponent}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_server_stats_read_as_zero() {
        let s = ServerStats::new();
        assert_eq!((s.min_latency(), s.max_latency()), (0, 0));
        assert_eq!(java_double(s.avg_latency()), "0.0");
        assert_eq!(s.client_response_stats.render(), "-1/-1/-1");
    }

    #[test]
    fn latency_min_avg_max() {
        let mut s = ServerStats::new();
        s.update_latency(100, 105);
        s.update_latency(100, 101);
        s.update_latency(100, 102);
        s.update_latency(200, 199); // negative: ignored
        assert_eq!(s.min_latency(), 1);
        assert_eq!(s.max_latency(), 5);
        assert_eq!(s.latency().count(), 3);
        assert_eq!(java_double(s.avg_latency()), "2.6667");
        s.update_latency(0, 0);
        assert_eq!(s.min_latency(), 0);
        assert_eq!(java_double(s.avg_latency()), "2.0");
    }

    #[test]
    fn packets_and_reset() {
        let mut s = ServerStats::new();
        s.packet_received();
        s.packet_received();
        s.packet_sent();
        s.update_latency(0, 7);
        s.update_client_response_size(16);
        s.increment_fsync_threshold_exceed_count();
        s.increment_auth_failed_count();
        assert_eq!((s.packets_received, s.packets_sent), (2, 1));
        assert_eq!(s.client_response_stats.render(), "16/16/16");
        s.reset();
        assert_eq!((s.packets_received, s.packets_sent), (0, 0));
        assert_eq!((s.min_latency(), s.max_latency(), s.latency().count()), (0, 0, 0));
        assert_eq!(s.client_response_stats, BufferStats::default());
        // Not part of ServerStats.reset() in 3.8.6.
        assert_eq!((s.fsync_threshold_exceed_count, s.auth_failed_count), (1, 1));
    }

    #[test]
    fn reset_max_takes_the_min() {
        let mut c = AvgMinMaxCounter::default();
        c.add(3);
        c.add(9);
        c.reset_max();
        assert_eq!((c.min(), c.max()), (3, 3));
        c.reset();
        assert_eq!((c.min(), c.max(), c.total()), (0, 0, 0));
    }

    #[test]
    fn buffer_stats() {
        let mut b = BufferStats::default();
        b.set_last(40);
        b.set_last(12);
        b.set_last(30);
        assert_eq!(b.render(), "30/12/40");
        b.reset();
        assert_eq!(b.render(), "-1/-1/-1");
    }

    #[test]
    fn avg_rounds_the_binary_value_half_up() {
        assert_eq!(round_half_up_4(1.0 / 32.0), 0.0313); // 0.03125 exactly: a tie, up
        assert_eq!(round_half_up_4(2.0 / 3.0), 0.6667);
        assert_eq!(round_half_up_4(1.0 / 3.0), 0.3333);
        assert_eq!(round_half_up_4(0.00004), 0.0);
        assert_eq!(round_half_up_4(0.00005), 0.0001); // the double is above 5e-5
        assert_eq!(round_half_up_4(1.00005), 1.0001); // the double is above 1.00005
        assert_eq!(round_half_up_4(2.00005), 2.0); // the double is below 2.00005
        assert_eq!(round_half_up_4(3.00045), 3.0004);
        assert_eq!(round_half_up_4(-2.0 / 3.0), -0.6667);
        assert_eq!(round_half_up_4(12.0), 12.0);
        assert_eq!(round_half_up_4(1e-300), 0.0);
    }

    #[test]
    fn java_double_text() {
        assert_eq!(java_double(0.0), "0.0");
        assert_eq!(java_double(3.0), "3.0");
        assert_eq!(java_double(1.6667), "1.6667");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(0.00025), "2.5E-4");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(12345678.5), "1.23456785E7");
        assert_eq!(java_double(-2.5), "-2.5");
    }

    #[test]
    fn connection_stats_start_with_java_field_defaults() {
        let mut c = ConnectionStats::new();
        assert_eq!(c.last_op_text(), "null");
        assert_eq!((c.last_cxid, c.last_zxid, c.min_latency(), c.avg_latency()), (0, 0, 0, 0));
        c.update_for_response(0, 0x100000001, "SESS", 10, 14);
        c.update_for_response(-2, 0x100000001, "PING", 20, 21);
        assert_eq!(c.last_op_text(), "PING");
        assert_eq!(c.last_cxid, 0);
        assert_eq!(c.last_response_time, 21);
        // minLatency starts at 0 on a fresh connection, so it stays 0.
        assert_eq!((c.last_latency, c.min_latency(), c.avg_latency(), c.max_latency()), (1, 0, 2, 4));
    }

    #[test]
    fn connection_stats_after_reset() {
        let mut c = ConnectionStats::new();
        c.packet_received();
        c.packet_sent();
        c.reset();
        assert_eq!((c.packets_received, c.packets_sent), (0, 0));
        assert_eq!(c.last_op_text(), "NA");
        assert_eq!((c.last_cxid, c.last_zxid, c.min_latency()), (-1, -1, 0));
        c.update_for_response(5, 0x200000003, "GETD", 100, 103);
        c.update_for_response(6, 0x200000003, "GETD", 100, 107);
        assert_eq!((c.min_latency(), c.avg_latency(), c.max_latency()), (3, 5, 7));
        assert_eq!(c.last_cxid, 6);
    }
}
