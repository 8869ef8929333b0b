//! Fyle-like ids (`tx3qHkN0aBcD`) and random secrets (client secrets, tokens), drawn from a
//! caller's generator so seeded data stays deterministic.

use rand::Rng;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random id with a Fyle-like prefix (`tx3qHkN0aBcD`).
pub(crate) fn new_id<R: Rng>(rng: &mut R, prefix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + 10);
    s.push_str(prefix);
    for _ in 0..10 {
        s.push(char::from(ALNUM[rng.gen_range(0..ALNUM.len())]));
    }
    s
}

/// A random secret of `len` alphanumerics.
pub(crate) fn new_secret<R: Rng>(rng: &mut R, len: usize) -> String {
    (0..len)
        .map(|_| char::from(ALNUM[rng.gen_range(0..ALNUM.len())]))
        .collect()
}
