// Errors: every failed check throws deepnet::Error carrying file:line and a message.
// The CLI turns an Error into one clear line on stderr and a non-zero exit.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace deepnet {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// An error the user can fix (bad config, bad data, missing file): printed without file:line.
class UserError : public Error {
public:
    explicit UserError(const std::string& what) : Error(what) {}
};

namespace detail {
[[noreturn]] inline void throw_check(const char* file, int line, const char* cond,
                                     const std::string& msg) {
    std::ostringstream os;
    os << msg << " [" << cond << " failed at " << file << ":" << line << "]";
    throw Error(os.str());
}
}  // namespace detail

}  // namespace deepnet

// DEEPNET_CHECK(cond, "text " << value): throws deepnet::Error when cond is false.
#define DEEPNET_CHECK(cond, msg)                                                   \
    do {                                                                           \
        if (!(cond)) {                                                             \
            std::ostringstream deepnet_check_os_;                                  \
            deepnet_check_os_ << msg;                                              \
            ::deepnet::detail::throw_check(__FILE__, __LINE__, #cond,              \
                                           deepnet_check_os_.str());               \
        }                                                                          \
    } while (0)

// DEEPNET_USER_CHECK(cond, "text"): a UserError, for problems in the user's input.
#define DEEPNET_USER_CHECK(cond, msg)                                              \
    do {                                                                           \
        if (!(cond)) {                                                             \
            std::ostringstream deepnet_check_os_;                                  \
            deepnet_check_os_ << msg;                                              \
            throw ::deepnet::UserError(deepnet_check_os_.str());                   \
        }                                                                          \
    } while (0)
