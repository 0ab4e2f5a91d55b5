build-land/runtime/executor.o: runtime/executor.c runtime/executor.h \
 runtime/task.h runtime/future.h runtime/loop.h runtime/status.h \
 runtime/trace.h runtime/value.h runtime/sbuf.h runtime/alloc.h \
 runtime/internal.h runtime/context.h runtime/heap.h runtime/stack.h
runtime/executor.h:
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
