/* Messages for people and for engines. Errors and warnings always reach
 * stderr as "ocirun: ..."; with --log they also go to that file, one write()
 * per line so lines from concurrent ocirun processes never interleave, in
 * logrus's text form or as JSON lines. JSON values are escaped by yajl,
 * never by printf: containerd decodes every line and shows the last error.
 * With --debug and no --log, runc's logrus writes its debug lines to stderr
 * in the same forms: ours go to a CLOEXEC copy of stderr, so that the
 * container's init, which logs until it is ready, still reaches the
 * caller's stderr after it made the pty its own. */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "error.h"
#include "util/strings.h"
#include "util/time.h"

ocirun_log_level ocirun_log_max_level = OCIRUN_LOG_INFO;

static struct {
        int fd;
        bool is_stderr; /* fd is our copy of stderr: errors are on it already */
        ocirun_log_format format;
} log_target = {.fd = -1, .format = OCIRUN_LOG_FORMAT_TEXT};

static const char *const level_names[] = {
    [OCIRUN_LOG_ERROR] = "error",
    [OCIRUN_LOG_WARNING] = "warning",
    [OCIRUN_LOG_INFO] = "info",
    [OCIRUN_LOG_DEBUG] = "debug",
};

int ocirun_log_format_from_string(const char *name, ocirun_log_format *ret)
{
        if (strcmp(name, "text") == 0)
                *ret = OCIRUN_LOG_FORMAT_TEXT;
        else if (strcmp(name, "json") == 0)
                *ret = OCIRUN_LOG_FORMAT_JSON;
        else
                return -EINVAL;
        return 0;
}

int ocirun_log_open(const char *path, ocirun_log_format format, bool debug, ocirun_error **error)
{
        log_target.format = format;
        ocirun_log_max_level = debug ? OCIRUN_LOG_DEBUG : OCIRUN_LOG_INFO;
        if (!path || !*path) {
                if (!debug)
                        return 0;
                /* Without a copy, debug lines still reach stderr, in the
                 * "ocirun: debug: " form. */
                int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return 0;
                ocirun_log_close();
                log_target.fd = fd;
                log_target.is_stderr = true;
                return 0;
        }
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0)
                return error_set_errno(error, errno, "open log file `%s`", path);
        ocirun_log_close();
        log_target.fd = fd;
        return 0;
}

void ocirun_log_close(void)
{
        if (log_target.fd >= 0)
                close(log_target.fd);
        log_target.fd = -1;
        log_target.is_stderr = false;
}

int ocirun_log_fd(void)
{
        return log_target.fd;
}

static void write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                buf += n;
                len -= (size_t) n;
        }
}

static void gen_string(yajl_gen gen, const char *s)
{
        yajl_gen_string(gen, (const unsigned char *) s, strlen(s));
}

static void log_write_json(ocirun_log_level level, const char *message, const char *time)
{
        yajl_gen gen = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;

        if (!gen)
                return;
        yajl_gen_config(gen, yajl_gen_validate_utf8, 1);
        yajl_gen_map_open(gen);
        gen_string(gen, "level");
        gen_string(gen, level_names[level]);
        gen_string(gen, "msg");
        gen_string(gen, message);
        gen_string(gen, "time");
        gen_string(gen, time);
        yajl_gen_map_close(gen);
        if (yajl_gen_get_buf(gen, &buf, &len) == yajl_gen_status_ok) {
                /* The buffer has room for the newline only through a copy;
                 * keep it to one write() so the line stays whole. */
                char *line = malloc(len + 1);
                if (line) {
                        memcpy(line, buf, len);
                        line[len] = '\n';
                        write_all(log_target.fd, line, len + 1);
                        free(line);
                }
        }
        yajl_gen_free(gen);
}

/* logrus's text form quotes msg like Go's %q: backslash and quote escaped,
 * control characters as \n, \t or \xNN. */
static void log_write_text(ocirun_log_level level, const char *message, const char *time)
{
        size_t size = strlen(message) * 4 + strlen(time) + 64;
        _cleanup_free_ char *line = malloc(size);
        size_t n;

        if (!line)
                return;
        n = (size_t) snprintf(line, size, "time=\"%s\" level=%s msg=\"", time, level_names[level]);
        for (const unsigned char *c = (const unsigned char *) message; *c; c++) {
                if (*c == '"' || *c == '\\')
                        n += (size_t) snprintf(line + n, size - n, "\\%c", *c);
                else if (*c == '\n')
                        n += (size_t) snprintf(line + n, size - n, "\\n");
                else if (*c == '\t')
                        n += (size_t) snprintf(line + n, size - n, "\\t");
                else if (*c < 0x20 || *c == 0x7f)
                        n += (size_t) snprintf(line + n, size - n, "\\x%02x", *c);
                else
                        line[n++] = (char) *c;
        }
        n += (size_t) snprintf(line + n, size - n, "\"\n");
        write_all(log_target.fd, line, n);
}

void ocirun_log(ocirun_log_level level, const char *fmt, ...)
{
        _cleanup_free_ char *raw = NULL, *message = NULL;
        va_list ap;

        if (level > ocirun_log_max_level)
                return;
        va_start(ap, fmt);
        int r = vasprintf(&raw, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;
        /* Messages carry names users and configs chose (paths, ids, command
         * names): whatever they hold, a message stays one line of valid
         * UTF-8, on stderr and in the log. */
        message = str_one_line(raw);
        if (!message)
                return;

        /* With --debug and no log file, runc sends everything to stderr. */
        if (level <= OCIRUN_LOG_WARNING || log_target.fd < 0) {
                _cleanup_free_ char *line = NULL;
                int len = asprintf(&line, "ocirun: %s%s%s\n",
                                   level == OCIRUN_LOG_ERROR ? "" : level_names[level],
                                   level == OCIRUN_LOG_ERROR ? "" : ": ", message);
                if (len > 0)
                        write_all(STDERR_FILENO, line, (size_t) len);
        }
        if (log_target.fd < 0 || (log_target.is_stderr && level <= OCIRUN_LOG_WARNING))
                return;

        char time[64];
        time_now_rfc3339(time, sizeof(time));
        if (log_target.format == OCIRUN_LOG_FORMAT_JSON)
                log_write_json(level, message, time);
        else
                log_write_text(level, message, time);
}
