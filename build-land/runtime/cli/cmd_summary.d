build-land/runtime/cli/cmd_summary.o: runtime/cli/cmd_summary.c \
 runtime/alloc.h runtime/cli/cli.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/cli/cli.h:
runtime/model/trace_model.h:
