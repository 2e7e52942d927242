// Functions defined by the coexist_*.cc translation units; each returns 1 when the headers
// behaved as expected in that include order / configuration.

#ifndef HTTPSERV_TESTS_HEADERS_COEXIST_H_
#define HTTPSERV_TESTS_HEADERS_COEXIST_H_

int coexist_std_first();
int coexist_compat_first();
int coexist_unicode();

#endif  // HTTPSERV_TESTS_HEADERS_COEXIST_H_
