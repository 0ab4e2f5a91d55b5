build-land/runtime/cli/cmd_export.o: runtime/cli/cmd_export.c \
 runtime/alloc.h runtime/cli/cli.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/cli/cli.h:
runtime/model/trace_model.h:
