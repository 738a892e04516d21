/* OpenSSL's libcrypto (Debian's libssl-dev), for SHA-256 of model files. */
#include <openssl/evp.h>
