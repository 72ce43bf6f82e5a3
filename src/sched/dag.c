/* dag: adjacency in compressed (start/offset) arrays, cycle search by
 * depth-first search with three colours (the cycle is read back from the
 * DFS stack), topological order by Kahn's algorithm, and closures by a
 * worklist.  See dag.h. */
#include "sched/dag.h"

#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "sched/dag_infer.h"

/* Find a cycle by DFS from every white node; on finding one, describe it in err. */
static bool find_cycle(const Project *p, const Dag *dag, Error *err)
{
    int n = dag->njobs;
    char *colour = mem_calloc((size_t)(n > 0 ? n : 1), 1); /* 0 white, 1 on stack, 2 done */
    int *stack = mem_alloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    int *edge = mem_alloc(sizeof(int) * (size_t)(n > 0 ? n : 1)); /* next upstream edge to try */
    bool found = false;
    for (int root = 0; root < n && !found; root++) {
        if (colour[root]) continue;
        int depth = 0;
        stack[depth] = root;
        edge[depth] = dag->up_start[root];
        colour[root] = 1;
        while (depth >= 0 && !found) {
            int v = stack[depth];
            if (edge[depth] == dag->up_start[v + 1]) {
                colour[v] = 2;
                depth--;
                continue;
            }
            int u = dag->up[edge[depth]++];
            if (colour[u] == 1) {
                /* u is on the stack: the cycle is stack[k..depth] back to u; print it in
                 * dependency direction (upstream first). */
                int k = depth;
                while (stack[k] != u) k--;
                StrBuf sb = STRBUF_INIT;
                for (int i = k; i <= depth; i++) strbuf_printf(&sb, "%s -> ", p->jobs[stack[depth - (i - k)]].name);
                strbuf_puts(&sb, p->jobs[stack[depth]].name);
                /* inferred edges on the cycle: stack[i] depends on stack[i + 1], and stack[depth] on u */
                bool any = false;
                for (int i = k; i <= depth; i++) {
                    int down = stack[i], up = i < depth ? stack[i + 1] : u;
                    for (int e = dag->up_start[down]; e < dag->up_start[down + 1]; e++) {
                        if (dag->up[e] != up || dag->up_via[e] == NULL) continue;
                        strbuf_printf(&sb, "%s%s reads %s written by %s", any ? "; " : " (inferred: ",
                                      p->jobs[down].name, dag->up_via[e], p->jobs[up].name);
                        any = true;
                        break;
                    }
                }
                if (any) strbuf_puts(&sb, ")");
                error_set(err, ERR_USAGE, "%s: dependency cycle: %s", p->path, strbuf_cstr(&sb));
                strbuf_free(&sb);
                found = true;
            } else if (colour[u] == 0) {
                colour[u] = 1;
                depth++;
                stack[depth] = u;
                edge[depth] = dag->up_start[u];
            }
        }
    }
    mem_free(colour);
    mem_free(stack);
    mem_free(edge);
    return !found;
}

bool dag_build(const Project *p, Dag *dag, Error *err)
{
    memset(dag, 0, sizeof *dag);
    arena_init(&dag->arena, 0);
    int n = p->njobs;
    dag->njobs = n;
    size_t slots = (size_t)n + 1;
    dag->up_start = mem_calloc(slots, sizeof(int));
    dag->down_start = mem_calloc(slots, sizeof(int));
    dag->order = mem_alloc(sizeof(int) * slots);
    InferredEdge *inferred = NULL;
    int ninferred = 0;
    if (p->infer_dependencies) dag_infer_edges(p, &dag->arena, &inferred, &ninferred);
    int nedges = ninferred;
    for (int i = 0; i < n; i++) nedges += p->jobs[i].ndepends;
    dag->up = mem_alloc(sizeof(int) * (size_t)(nedges + 1));
    dag->down = mem_alloc(sizeof(int) * (size_t)(nedges + 1));
    dag->up_via = mem_calloc((size_t)(nedges + 1), sizeof *dag->up_via);

    int e = 0;
    for (int i = 0; i < n; i++) {
        dag->up_start[i] = e;
        for (int d = 0; d < p->jobs[i].ndepends; d++) {
            int u = project_find_job(p, p->jobs[i].depends_on[d]);
            if (u < 0) return error_set(err, ERR_USAGE, "job \"%s\" depends on unknown job \"%s\"", p->jobs[i].name,
                                        p->jobs[i].depends_on[d]);
            dag->up[e++] = u;
            dag->down_start[u + 1]++;
        }
        for (int k = 0; k < ninferred; k++) { /* dag_infer_edges leaves out declared pairs */
            if (inferred[k].down != i) continue;
            dag->up_via[e] = inferred[k].dataset;
            dag->up[e++] = inferred[k].up;
            dag->down_start[inferred[k].up + 1]++;
        }
    }
    dag->up_start[n] = e;
    for (int i = 0; i < n; i++) dag->down_start[i + 1] += dag->down_start[i];
    int *fill = mem_alloc(sizeof(int) * slots);
    memcpy(fill, dag->down_start, sizeof(int) * slots);
    for (int i = 0; i < n; i++) {
        for (int k = dag->up_start[i]; k < dag->up_start[i + 1]; k++) dag->down[fill[dag->up[k]]++] = i;
    }
    mem_free(fill);

    if (!find_cycle(p, dag, err)) return false;

    /* Kahn: repeatedly take the lowest-index job whose upstream jobs are all placed. */
    int *pending = mem_alloc(sizeof(int) * slots);
    for (int i = 0; i < n; i++) pending[i] = dag->up_start[i + 1] - dag->up_start[i];
    bool *placed = mem_calloc(slots, sizeof(bool));
    for (int count = 0; count < n; count++) {
        int pick = -1;
        for (int i = 0; i < n && pick < 0; i++) {
            if (!placed[i] && pending[i] == 0) pick = i;
        }
        if (pick < 0) break; /* cannot happen: find_cycle passed */
        placed[pick] = true;
        dag->order[count] = pick;
        for (int k = dag->down_start[pick]; k < dag->down_start[pick + 1]; k++) pending[dag->down[k]]--;
    }
    mem_free(pending);
    mem_free(placed);
    return true;
}

static void closure(const int *start, const int *adj, int n, bool *selected)
{
    int *work = mem_alloc(sizeof(int) * (size_t)(n + 1));
    int top = 0;
    for (int i = 0; i < n; i++) {
        if (selected[i]) work[top++] = i;
    }
    while (top > 0) {
        int v = work[--top];
        for (int k = start[v]; k < start[v + 1]; k++) {
            if (!selected[adj[k]]) {
                selected[adj[k]] = true;
                work[top++] = adj[k];
            }
        }
    }
    mem_free(work);
}

void dag_add_upstream(const Dag *dag, bool *selected) { closure(dag->up_start, dag->up, dag->njobs, selected); }

void dag_add_downstream(const Dag *dag, bool *selected) { closure(dag->down_start, dag->down, dag->njobs, selected); }

void dag_free(Dag *dag)
{
    mem_free(dag->order);
    mem_free(dag->up_start);
    mem_free(dag->up);
    mem_free(dag->down_start);
    mem_free(dag->down);
    mem_free(dag->up_via);
    arena_destroy(&dag->arena);
    memset(dag, 0, sizeof *dag);
}
