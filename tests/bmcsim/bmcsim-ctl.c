/*
 * bmcsim-ctl - talk to a running bmcsim over its control socket.
 *
 *   bmcsim-ctl [-s PATH] [-t SECONDS] COMMAND [ARG...]
 *   bmcsim-ctl [-s PATH] [-t SECONDS] < commands.txt
 *
 * Each command is sent as one line; data lines go to stdout, the final
 * "ERR reason" to stderr.  Exit status: 0 all OK, 1 a command failed,
 * 2 usage or connection trouble.
 */

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int timeout_ms = 10000;

static void usage(FILE *out)
{
    fprintf(out, "usage: bmcsim-ctl [-s SOCKET] [-t SECONDS] COMMAND [ARG...]\n"
                 "       bmcsim-ctl [-s SOCKET] [-t SECONDS] < commands\n"
                 "SOCKET defaults to $BMCSIM_CONTROL; `bmcsim-ctl help` lists the commands.\n");
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "bmcsim-ctl: socket path too long\n");
        return -1;
    }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "bmcsim-ctl: cannot connect to %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Buffered line reader over the socket, with a per-read timeout. */
struct reader {
    int fd;
    char buf[65536];
    size_t len;
};

/* Returns a NUL-terminated line without its newline, or NULL (EOF/timeout/error). */
static char *read_line(struct reader *r)
{
    static char line[65536];
    for (;;) {
        char *nl = memchr(r->buf, '\n', r->len);
        if (nl) {
            size_t n = (size_t)(nl - r->buf);
            memcpy(line, r->buf, n);
            line[n] = '\0';
            memmove(r->buf, nl + 1, r->len - n - 1);
            r->len -= n + 1;
            return line;
        }
        if (r->len == sizeof(r->buf))
            return NULL;
        struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, timeout_ms);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            fprintf(stderr, "bmcsim-ctl: no answer within %d ms\n", timeout_ms);
            return NULL;
        }
        ssize_t n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        r->len += (size_t)n;
    }
}

/* Send one command line, print its answer; 0 OK, 1 ERR, 2 trouble. */
static int run(int fd, struct reader *r, const char *cmdline)
{
    size_t n = strlen(cmdline);
    if (send_all(fd, cmdline, n) < 0 || send_all(fd, "\n", 1) < 0) {
        fprintf(stderr, "bmcsim-ctl: send: %s\n", strerror(errno));
        return 2;
    }
    for (;;) {
        char *line = read_line(r);
        if (!line) {
            fprintf(stderr, "bmcsim-ctl: connection closed before the answer ended\n");
            return 2;
        }
        if (!strcmp(line, "OK"))
            return 0;
        if (!strncmp(line, "ERR", 3) && (line[3] == ' ' || line[3] == '\0')) {
            fprintf(stderr, "bmcsim-ctl: %s\n", line[3] ? line + 4 : "error");
            return 1;
        }
        puts(line);
    }
}

int main(int argc, char **argv)
{
    const char *path = getenv("BMCSIM_CONTROL");
    int c;
    while ((c = getopt(argc, argv, "+s:t:h")) != -1) {
        switch (c) {
        case 's':
            path = optarg;
            break;
        case 't':
            timeout_ms = atoi(optarg) * 1000;
            if (timeout_ms <= 0)
                timeout_ms = 10000;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!path || !*path) {
        usage(stderr);
        return 2;
    }
    int fd = connect_to(path);
    if (fd < 0)
        return 2;
    static struct reader r;
    r.fd = fd;
    int rc = 0;
    if (optind < argc) {
        char cmd[4096];
        size_t len = 0;
        for (int i = optind; i < argc; i++) {
            size_t w = strlen(argv[i]);
            /* an argument with blanks travels as one "quoted" word */
            bool quote = strpbrk(argv[i], " \t") != NULL || w == 0;
            if (len + w + 4 > sizeof(cmd) || strpbrk(argv[i], "\n\"")) {
                fprintf(stderr, "bmcsim-ctl: command too long, or a newline or quote in it\n");
                close(fd);
                return 2;
            }
            if (len)
                cmd[len++] = ' ';
            if (quote)
                cmd[len++] = '"';
            memcpy(cmd + len, argv[i], w);
            len += w;
            if (quote)
                cmd[len++] = '"';
        }
        cmd[len] = '\0';
        rc = run(fd, &r, cmd);
    } else {
        char line[4096];
        while (fgets(line, sizeof(line), stdin)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0] == '\0' || line[0] == '#')
                continue;
            int one = run(fd, &r, line);
            if (one > rc)
                rc = one;
            if (one == 2)
                break;
        }
    }
    close(fd);
    return rc;
}
