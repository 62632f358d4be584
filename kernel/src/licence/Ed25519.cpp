#include "licence/Ed25519.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace anchang {

namespace {

struct Free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    void operator()(BIO* bio) const { BIO_free(bio); }
};
template <class T> using Owned = std::unique_ptr<T, Free>;

std::string drain(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Owned<EVP_PKEY> readKey(const std::string& pem, bool isPrivate) {
    Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EVP_PKEY* key = isPrivate ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (key && EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        key = nullptr;
    }
    return Owned<EVP_PKEY>(key);
}

} // namespace

Ed25519::KeyPair Ed25519::generate() {
    Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_keygen(ctx.get(), &raw) <= 0)
        throw std::runtime_error("cannot generate an Ed25519 key");
    Owned<EVP_PKEY> key(raw);
    Owned<BIO> priv(BIO_new(BIO_s_mem()));
    Owned<BIO> pub(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub.get(), key.get());
    return {drain(priv.get()), drain(pub.get())};
}

std::string Ed25519::sign(const std::string& privatePem, const std::string& message) {
    Owned<EVP_PKEY> key = readKey(privatePem, true);
    if (!key) throw std::runtime_error("not an Ed25519 private key");
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) <= 0 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(message.data()), message.size()) <= 0)
        throw std::runtime_error("Ed25519 signing failed");
    std::vector<unsigned char> signature(size);
    if (EVP_DigestSign(ctx.get(), signature.data(), &size, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) <= 0)
        throw std::runtime_error("Ed25519 signing failed");
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(signature.data()), static_cast<std::streamsize>(size));
    encoder.close();
    return out.str();
}

bool Ed25519::verify(const std::string& publicPem, const std::string& message, const std::string& signatureBase64) {
    Owned<EVP_PKEY> key = readKey(publicPem, false);
    if (!key) return false;
    std::string signature;
    try {
        std::istringstream in(signatureBase64);
        Poco::Base64Decoder decoder(in);
        signature.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
    } catch (...) {
        return false;
    }
    if (signature.size() != 64) return false;
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) <= 0) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

} // namespace anchang
