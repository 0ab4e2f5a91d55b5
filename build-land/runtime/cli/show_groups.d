build-land/runtime/cli/show_groups.o: runtime/cli/show_groups.c \
 runtime/alloc.h runtime/cli/show_groups.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/cli/show_groups.h:
runtime/model/trace_model.h:
