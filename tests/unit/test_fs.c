/* test_fs: the local file system behind io/fs.h: atomic writes, positional
 * and sequential reads, globs, mkdir -p, errors. Files live in a mkdtemp
 * folder under /tmp that each test removes. */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "io/fs.h"
#include "unit.h"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void make_tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/kiln_fs_XXXXXX");
    if (mkdtemp(dir) == NULL) abort();
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

TEST(fs_write_is_atomic_and_reads_back)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    Error err = ERROR_INIT;
    FsWriter *w = fs_open_write(path, &err);
    CHECK(w != NULL);
    CHECK(fs_writer_write(w, "hello ", 6, &err));
    CHECK(fs_writer_write(w, "world", 5, &err));
    CHECK(!fs_exists(path)); /* not visible before commit */
    CHECK_EQ_INT(count_entries(dir), 1); /* only the temporary */
    CHECK(fs_writer_commit(w, &err));
    CHECK(fs_exists(path));
    CHECK_EQ_INT(count_entries(dir), 1);

    uint64_t size = 0;
    CHECK(fs_file_size(path, &size, &err));
    CHECK_EQ_INT(size, 11);
    FsFile *f = fs_open_read(path, &err);
    CHECK(f != NULL);
    CHECK_EQ_INT(fs_file_size_of(f), 11);
    char buf[32] = {0};
    size_t got = 0;
    CHECK(fs_pread(f, buf, 5, 6, &got, &err));
    CHECK_EQ_INT(got, 5);
    CHECK_EQ_STR(buf, "world");
    CHECK(fs_pread(f, buf, 10, 8, &got, &err));
    CHECK_EQ_INT(got, 3); /* short only at EOF */
    memset(buf, 0, sizeof buf);
    CHECK(fs_read(f, buf, 4, &got, &err));
    CHECK_EQ_STR(buf, "hell");
    CHECK(fs_read(f, buf + 4, 100, &got, &err));
    CHECK_EQ_INT(got, 7);
    CHECK_EQ_STR(buf, "hello world");
    CHECK(fs_read(f, buf, 100, &got, &err));
    CHECK_EQ_INT(got, 0);
    fs_close(f);
    remove_tree(dir);
}

TEST(fs_abort_leaves_nothing)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    Error err = ERROR_INIT;
    FsWriter *w = fs_open_write(path, &err);
    CHECK(w != NULL);
    CHECK(fs_writer_write(w, "x", 1, &err));
    fs_writer_abort(w);
    CHECK(!fs_exists(path));
    CHECK_EQ_INT(count_entries(dir), 0);
    remove_tree(dir);
}

TEST(fs_commit_replaces_existing_file)
{
    char dir[64], path[128];
    make_tmpdir(dir, sizeof dir);
    write_text(dir, "f.txt", "old contents");
    snprintf(path, sizeof path, "%s/f.txt", dir);
    Error err = ERROR_INIT;
    FsWriter *w = fs_open_write(path, &err);
    CHECK(fs_writer_write(w, "new", 3, &err));
    CHECK(fs_writer_commit(w, &err));
    uint64_t size = 0;
    CHECK(fs_file_size(path, &size, &err));
    CHECK_EQ_INT(size, 3);
    remove_tree(dir);
}

TEST(fs_errors_name_path_and_reason)
{
    Error err = ERROR_INIT;
    CHECK(fs_open_read("/nonexistent_kiln_dir/x.csv", &err) == NULL);
    CHECK_EQ_INT(err.kind, ERR_IO);
    CHECK_EQ_STR(err.message, "could not open file \"/nonexistent_kiln_dir/x.csv\": No such file or directory");
    error_clear(&err);
    CHECK(fs_open_write("/nonexistent_kiln_dir/y.csv", &err) == NULL);
    CHECK_EQ_INT(err.kind, ERR_IO);
    CHECK(strstr(err.message, "/nonexistent_kiln_dir/y.csv") != NULL);
    error_clear(&err);
    CHECK(fs_open_read("/tmp", &err) == NULL);
    CHECK(strstr(err.message, "Is a directory") != NULL);
    uint64_t size;
    CHECK(!fs_file_size("/nonexistent_kiln_dir/z", &size, &err));
    CHECK_EQ_INT(err.kind, ERR_IO);
}

TEST(fs_glob_sorted_recursive_and_hidden)
{
    char dir[64], pat[160];
    make_tmpdir(dir, sizeof dir);
    Error err = ERROR_INIT;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/sub/deep", dir);
    CHECK(fs_mkdirs(sub, &err));
    write_text(dir, "b.csv", "b");
    write_text(dir, "a.csv", "a");
    write_text(dir, "c.txt", "c");
    write_text(dir, ".hidden.csv", "h");
    write_text(dir, "sub/d.csv", "d");
    write_text(dir, "sub/deep/e.csv", "e");

    FsPathList list = {0};
    snprintf(pat, sizeof pat, "%s/*.csv", dir);
    CHECK(fs_glob(pat, &list, &err));
    CHECK_EQ_INT(list.count, 2);
    if (list.count == 2) {
        CHECK(strstr(list.paths[0], "/a.csv") != NULL);
        CHECK(strstr(list.paths[1], "/b.csv") != NULL);
    }
    fs_path_list_free(&list);

    snprintf(pat, sizeof pat, "%s/**/*.csv", dir);
    CHECK(fs_glob(pat, &list, &err));
    CHECK_EQ_INT(list.count, 4);
    if (list.count == 4) {
        CHECK(strstr(list.paths[0], "/a.csv") != NULL);
        CHECK(strstr(list.paths[1], "/b.csv") != NULL);
        CHECK(strstr(list.paths[2], "/sub/d.csv") != NULL);
        CHECK(strstr(list.paths[3], "/sub/deep/e.csv") != NULL);
    }
    fs_path_list_free(&list);

    snprintf(pat, sizeof pat, "%s/s?b/*", dir);
    CHECK(fs_glob(pat, &list, &err));
    CHECK_EQ_INT(list.count, 1); /* deep/ is a directory, not a match */
    fs_path_list_free(&list);

    snprintf(pat, sizeof pat, "%s/*.parquet", dir);
    CHECK(!fs_glob(pat, &list, &err));
    CHECK_EQ_INT(err.kind, ERR_IO);
    char want[256];
    snprintf(want, sizeof want, "No files found that match the pattern \"%s\"", pat);
    CHECK_EQ_STR(err.message, want);
    CHECK_EQ_INT(list.count, 0);

    snprintf(pat, sizeof pat, "%s/a.csv", dir); /* no wildcard: the file itself */
    CHECK(fs_glob(pat, &list, &err));
    CHECK_EQ_INT(list.count, 1);
    fs_path_list_free(&list);
    remove_tree(dir);
}

TEST(fs_glob_relative_pattern)
{
    char dir[64], cwd[512];
    make_tmpdir(dir, sizeof dir);
    write_text(dir, "x1.csv", "1");
    write_text(dir, "x2.csv", "2");
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(dir) == 0);
    FsPathList list = {0};
    Error err = ERROR_INIT;
    CHECK(fs_glob("x*.csv", &list, &err));
    CHECK_EQ_INT(list.count, 2);
    if (list.count == 2) {
        CHECK_EQ_STR(list.paths[0], "x1.csv");
        CHECK_EQ_STR(list.paths[1], "x2.csv");
    }
    fs_path_list_free(&list);
    CHECK(chdir(cwd) == 0);
    remove_tree(dir);
}

TEST(fs_glob_match_rules)
{
    CHECK(fs_glob_match("data/*.csv", "data/a.csv"));
    CHECK(!fs_glob_match("data/*.csv", "data/sub/a.csv"));
    CHECK(fs_glob_match("data/**/*.csv", "data/a.csv"));
    CHECK(fs_glob_match("data/**/*.csv", "data/x/y/a.csv"));
    CHECK(!fs_glob_match("data/**/*.csv", "data/x/.y/a.csv"));
    CHECK(!fs_glob_match("data/*.csv", "data/.a.csv"));
    CHECK(fs_glob_match("data/[ab].csv", "data/b.csv"));
    CHECK(!fs_glob_match("data/[ab].csv", "data/c.csv"));
    CHECK(fs_has_wildcard("a/*.csv"));
    CHECK(!fs_has_wildcard("a/b.csv"));
}

TEST(fs_mkdirs_exists_remove)
{
    char dir[64], path[160];
    make_tmpdir(dir, sizeof dir);
    Error err = ERROR_INIT;
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    CHECK(fs_mkdirs(path, &err));
    CHECK(fs_exists(path));
    CHECK(fs_mkdirs(path, &err)); /* existing is fine */
    write_text(dir, "a/file", "x");
    snprintf(path, sizeof path, "%s/a/file/sub", dir);
    CHECK(!fs_mkdirs(path, &err)); /* a file is in the way */
    CHECK_EQ_INT(err.kind, ERR_IO);
    snprintf(path, sizeof path, "%s/a/file", dir);
    CHECK(fs_remove(path, &err));
    CHECK(!fs_exists(path));
    CHECK(!fs_remove(path, &err));
    CHECK(strstr(err.message, "could not remove file") != NULL);
    remove_tree(dir);
}
