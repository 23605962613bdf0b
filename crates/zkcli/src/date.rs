//! `java.util.Date.toString()` in UTC: `Thu Mar 07 11:19:07 UTC 2019`.
//!
//! Java's `Date` uses the Gregorian calendar from 15 October 1582 and the
//! Julian calendar before it, so both are here; the weekday runs on
//! regardless of the calendar.

const MS_PER_DAY: i64 = 86_400_000;
/// Julian Day Number of 1970-01-01.
const JDN_UNIX_EPOCH: i64 = 2_440_588;
/// Julian Day Number of 1582-10-15, the first Gregorian day.
const JDN_GREGORIAN_CUTOVER: i64 = 2_299_161;

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A calendar date: year, month 1..=12, day 1..=31.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: i64,
    day: i64,
}

/// Howard Hinnant's `civil_from_days` (proleptic Gregorian).
fn gregorian_from_days(days: i64) -> Civil {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil { year, month, day }
}

/// Julian-calendar date of a Julian Day Number (Richards' algorithm).
fn julian_from_jdn(jdn: i64) -> Civil {
    let c = jdn + 32_082;
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = d - 4800 + m.div_euclid(10);
    Civil { year, month, day }
}

/// `new Date(ms).toString()` with the JVM's zone set to UTC.
pub fn java_date(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let secs = ms.rem_euclid(MS_PER_DAY) / 1000;
    let jdn = days.saturating_add(JDN_UNIX_EPOCH);
    let date = if jdn < JDN_GREGORIAN_CUTOVER { julian_from_jdn(jdn) } else { gregorian_from_days(days) };
    let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(date.month - 1).clamp(0, 11) as usize];
    format!(
        "{weekday} {month} {:02} {:02}:{:02}:{:02} UTC {}",
        date.day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        date.year
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let cases: &[(i64, &str)] = &[
            (0, "Thu Jan 01 00:00:00 UTC 1970"),
            (-1, "Wed Dec 31 23:59:59 UTC 1969"),
            (999, "Thu Jan 01 00:00:00 UTC 1970"),
            (1_551_957_547_000, "Thu Mar 07 11:19:07 UTC 2019"),
            // Leap days: every fourth year, 2000 too, but not 1900.
            (951_782_400_000, "Tue Feb 29 00:00:00 UTC 2000"),
            (1_582_934_400_000, "Sat Feb 29 00:00:00 UTC 2020"),
            (1_709_251_199_000, "Thu Feb 29 23:59:59 UTC 2024"),
            (-2_203_891_200_000, "Thu Mar 01 00:00:00 UTC 1900"),
            (4_102_444_799_999, "Thu Dec 31 23:59:59 UTC 2099"),
            (253_402_300_799_999, "Fri Dec 31 23:59:59 UTC 9999"),
            // Java switches to the Julian calendar before 1582-10-15.
            (-12_219_292_800_000, "Fri Oct 15 00:00:00 UTC 1582"),
            (-12_219_292_800_001, "Thu Oct 04 23:59:59 UTC 1582"),
        ];
        for (ms, want) in cases {
            assert_eq!(java_date(*ms), *want, "{ms}");
        }
    }

    #[test]
    fn extremes_do_not_panic() {
        for ms in [i64::MIN, i64::MAX, i64::MIN + 1] {
            assert!(java_date(ms).contains("UTC"));
        }
    }

    #[test]
    fn calendars_agree_on_a_shared_day() {
        // 1970-01-01 Gregorian is 1969-12-19 Julian.
        assert_eq!(julian_from_jdn(JDN_UNIX_EPOCH), Civil { year: 1969, month: 12, day: 19 });
        assert_eq!(gregorian_from_days(0), Civil { year: 1970, month: 1, day: 1 });
    }
}
