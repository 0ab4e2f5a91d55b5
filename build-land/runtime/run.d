build-land/runtime/run.o: runtime/run.c runtime/combine.h runtime/task.h \
 runtime/future.h runtime/loop.h runtime/status.h runtime/trace.h \
 runtime/value.h runtime/sbuf.h runtime/alloc.h runtime/internal.h \
 runtime/context.h runtime/heap.h runtime/stack.h
runtime/combine.h:
runtime/task.h:
runtime/future.h:
runtime/loop.h:
runtime/status.h:
runtime/trace.h:
runtime/value.h:
runtime/sbuf.h:
runtime/alloc.h:
runtime/internal.h:
runtime/context.h:
runtime/heap.h:
runtime/stack.h:
