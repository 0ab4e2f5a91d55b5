build-land/runtime/cli/cmd_validate.o: runtime/cli/cmd_validate.c \
 runtime/alloc.h runtime/cli/cli.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/cli/cli.h:
runtime/model/trace_model.h:
