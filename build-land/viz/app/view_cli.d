build-land/viz/app/view_cli.o: viz/app/view_cli.c runtime/alloc.h \
 viz/app/app.h viz/render/font.h viz/model/view_model.h \
 runtime/model/trace_model.h runtime/cli/cli.h \
 runtime/scenarios/scenarios.h runtime/coroscope.h runtime/combine.h \
 runtime/task.h runtime/future.h runtime/loop.h runtime/status.h \
 runtime/trace.h runtime/value.h runtime/sbuf.h runtime/alloc.h \
 runtime/queue.h runtime/sync.h runtime/taskgroup.h runtime/timeouts.h \
 runtime/trace_writer.h
runtime/alloc.h:
viz/app/app.h:
viz/render/font.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
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
runtime/trace_writer.h:
