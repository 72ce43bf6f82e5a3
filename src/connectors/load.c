/* load: what every warehouse connector checks before it loads (see load.h). */
#include "connectors/load.h"

#include <string.h>

bool load_check_columns(const LoadSpec *spec, int ncols, char *const *names, int *key_cols, Error *err)
{
    for (int c = 0; c < ncols; c++)
        for (int k = 0; k < c; k++)
            if (strcmp(names[k], names[c]) == 0)
                return error_set(err, ERR_SQL, "column name \"%s\" appears twice in the rows loaded into \"%s\"",
                                 names[c], spec->table);
    for (int k = 0; k < spec->nkeys; k++) {
        key_cols[k] = -1;
        for (int c = 0; c < ncols; c++)
            if (strcmp(names[c], spec->keys[k]) == 0) key_cols[k] = c;
        if (key_cols[k] < 0)
            return error_set(err, ERR_SQL, "KEY column \"%s\" is not a column of the query", spec->keys[k]);
    }
    return true;
}
