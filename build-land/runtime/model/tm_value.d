build-land/runtime/model/tm_value.o: runtime/model/tm_value.c \
 runtime/model/tm_internal.h runtime/model/trace_model.h
runtime/model/tm_internal.h:
runtime/model/trace_model.h:
