#!/usr/bin/env python3
"""Makes extra legacy hash vectors in exactly Werkzeug's format, without Werkzeug.

Werkzeug 2.2.2's generate_password_hash(password, "pbkdf2:sha256:<n>") is
    salt = 16 chars from SALT_CHARS via secrets.choice
    hex  = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), n).hex()
    -> f"pbkdf2:sha256:{n}${salt}${hex}"
and Werkzeug >= 2.3's "scrypt:N:r:p" is
    hex  = hashlib.scrypt(password.encode(), salt=salt.encode(), n=N, r=r, p=p,
                          maxmem=132*N*r*p).hex()      # dklen 64
    -> f"scrypt:{N}:{r}:{p}${salt}${hex}"

Run: python3 testdata/password/gen_vectors.py > testdata/password/generated-hashes.tsv
(the salts are random, so every run gives different but equally valid lines).
"""
import hashlib
import secrets
import string

SALT_CHARS = string.ascii_letters + string.digits  # Werkzeug's SALT_CHARS


def gen_salt(n=16):
    return "".join(secrets.choice(SALT_CHARS) for _ in range(n))


def pbkdf2(password, hash_name, iterations, with_iterations=True):
    salt = gen_salt()
    h = hashlib.pbkdf2_hmac(hash_name, password.encode(), salt.encode(), iterations).hex()
    method = f"pbkdf2:{hash_name}:{iterations}" if with_iterations else f"pbkdf2:{hash_name}"
    return f"{method}${salt}${h}"


def scrypt(password, n, r, p):
    salt = gen_salt()
    h = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
    return f"scrypt:{n}:{r}:{p}${salt}${h}"


print("# password\thash: made by testdata/password/gen_vectors.py with python3 hashlib, in Werkzeug's format (see the script)")
print("# the extra pbkdf2:sha256 vector, Werkzeug 2.2.2's default method and iterations")
print("gen-Ünï $ password 42\t" + pbkdf2("gen-Ünï $ password 42", "sha256", 260000))
print("# Werkzeug >= 2.3 scrypt with its default parameters (N=2^15, r=8, p=1)")
print("scrypt-pass-1\t" + scrypt("scrypt-pass-1", 32768, 8, 1))
print("# iteration-less form: only valid if LegacyPBKDF2DefaultIterations is 260000")
print("no-iterations\t" + pbkdf2("no-iterations", "sha256", 260000, with_iterations=False))
