build-land/runtime/cli/cmd_record.o: runtime/cli/cmd_record.c \
 runtime/cli/cli.h runtime/scenarios/scenarios.h runtime/coroscope.h \
 runtime/combine.h runtime/task.h runtime/future.h runtime/loop.h \
 runtime/status.h runtime/trace.h runtime/value.h runtime/sbuf.h \
 runtime/alloc.h runtime/queue.h runtime/sync.h runtime/taskgroup.h \
 runtime/timeouts.h runtime/scenarios/twins.h runtime/trace.h \
 runtime/trace_writer.h
runtime/cli/cli.h:
runtime/scenarios/scenarios.h:
runtime/coroscope.h:
runtime/combine.h:
runtime/task.h:
runtime/future.h:
runtime/loop.h:
runtime/status.h:
runtime/trace.h:
runtime/value.h:
runtime/sbuf.h:
runtime/alloc.h:
runtime/queue.h:
runtime/sync.h:
runtime/taskgroup.h:
runtime/timeouts.h:
runtime/scenarios/twins.h:
runtime/trace.h:
runtime/trace_writer.h:
