#pragma once
// OpenSSL's libcrypto (Debian libssl-dev): SHA-256 through the EVP digest interface.
#include <openssl/evp.h>
