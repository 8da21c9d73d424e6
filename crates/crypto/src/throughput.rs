//! What the provider's algorithms cost on this machine (`mingjing crypto-throughput`, figures
//! in bench/README.md): bulk rates of SM3, HMAC-SM3 and SM4-GCM over large buffers, and the
//! per-value rates of what an import does to each personal cell (a token, a seal, a blind
//! index). Durations are measured with a monotonic timer; nothing here reads the clock.

use crate::columns::ColumnCipher;
use crate::sm;
use std::time::Instant;

/// One figure: `per_second` units of `unit` per second.
#[derive(Debug, Clone)]
pub struct Rate {
    pub name: &'static str,
    pub unit: &'static str,
    pub per_second: f64,
}

fn rate(name: &'static str, unit: &'static str, units: f64, f: impl FnOnce()) -> Rate {
    let start = Instant::now();
    f();
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    Rate {
        name,
        unit,
        per_second: units / seconds,
    }
}

/// Measures each algorithm over `mib` MiB of data (bulk) and `values` personal values (the
/// per-cell work of an import), on one thread.
pub fn measure(mib: usize, values: usize) -> Vec<Rate> {
    let chunk = vec![0x5au8; 1 << 20];
    let key = [7u8; sm::SM4_KEY_LEN];
    let mac_key = [9u8; 32];
    let mut out = Vec::new();
    let mut sink = 0u8;
    out.push(rate("SM3", "MiB", mib as f64, || {
        let mut h = sm::Sm3Hasher::default();
        for _ in 0..mib {
            h.update(&chunk);
        }
        sink ^= h.finish_hex().as_bytes()[0];
    }));
    out.push(rate("HMAC-SM3", "MiB", mib as f64, || {
        for _ in 0..mib {
            sink ^= sm::hmac_sm3(&mac_key, &[&chunk])[0];
        }
    }));
    out.push(rate("SM4-GCM seal", "MiB", mib as f64, || {
        for _ in 0..mib {
            sink ^= sm::sm4_gcm_seal(&key, b"bench", &chunk)[0];
        }
    }));
    let sealed = sm::sm4_gcm_seal(&key, b"bench", &chunk);
    out.push(rate("SM4-GCM open", "MiB", mib as f64, || {
        for _ in 0..mib {
            let plain = sm::sm4_gcm_open(&key, b"bench", &sealed, "bench").expect("opens");
            sink ^= plain[0];
        }
    }));
    // Per value: 18-character ID numbers and short names, as an import meets them.
    let cipher = ColumnCipher::new(vec![(1, vec![3u8; 48])], vec![(1, vec![4u8; 16])]);
    let ids: Vec<String> = (0..values)
        .map(|i| format!("61032719{:06}{:04}", 800101 + i % 900_000, i % 10_000))
        .collect();
    out.push(rate(
        "token (HMAC-SM3 IV + SM4-CTR), ID",
        "values",
        values as f64,
        || {
            for id in &ids {
                sink ^= cipher.token(id).as_bytes()[2];
            }
        },
    ));
    let tokens: Vec<String> = ids.iter().map(|id| cipher.token(id)).collect();
    out.push(rate("token opened, ID", "values", values as f64, || {
        for t in &tokens {
            sink ^= cipher.reveal(t, "bench").expect("opens").as_bytes()[0];
        }
    }));
    out.push(rate(
        "blind index (HMAC-SM3), ID",
        "values",
        values as f64,
        || {
            for id in &ids {
                sink ^= sm::hmac_sm3(&mac_key, &[id.as_bytes()])[0];
            }
        },
    ));
    out.push(rate(
        "seal (SM4-GCM), name",
        "values",
        values as f64,
        || {
            for _ in 0..values {
                sink ^= cipher
                    .seal("businesses.company_name", "陇县于萍红经营部")
                    .as_bytes()[2];
            }
        },
    ));
    std::hint::black_box(sink);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rate_is_measured_and_positive() {
        let rates = super::measure(1, 100);
        assert_eq!(rates.len(), 8);
        assert!(
            rates
                .iter()
                .all(|r| r.per_second.is_finite() && r.per_second > 0.0)
        );
    }
}
